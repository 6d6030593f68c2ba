{{/* Names, labels and the pieces every workload shares. */}}

{{- define "gpu-ledger.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gpu-ledger.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "gpu-ledger.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A component's object name: (dict "root" $ "component" "agent"). */}}
{{- define "gpu-ledger.componentName" -}}
{{- printf "%s-%s" (include "gpu-ledger.fullname" .root | trunc 50 | trimSuffix "-") .component }}
{{- end }}

{{- define "gpu-ledger.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gpu-ledger.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Labels of every object; (dict "root" $ "component" "agent"), component may be "". */}}
{{- define "gpu-ledger.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "gpu-ledger.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: gpu-ledger
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{- define "gpu-ledger.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "gpu-ledger.secretName" -}}
{{- .Values.existingSecret | default (printf "%s-credentials" (include "gpu-ledger.fullname" .)) }}
{{- end }}

{{- define "gpu-ledger.agentServiceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- .Values.serviceAccount.name | default (include "gpu-ledger.componentName" (dict "root" . "component" "agent")) }}
{{- else }}
{{- .Values.serviceAccount.name | default "default" }}
{{- end }}
{{- end }}

{{/* terminationGracePeriodSeconds: the shutdown deadline rounded up to seconds, plus the margin. */}}
{{- define "gpu-ledger.graceSeconds" -}}
{{- $ms := int64 .Values.shutdown.timeoutMs }}
{{- if lt $ms 1 }}
{{- fail (printf "shutdown.timeoutMs must be a positive number of milliseconds, got %v" .Values.shutdown.timeoutMs) }}
{{- end }}
{{- add (div (add $ms 999) 1000) (int64 .Values.shutdown.graceMarginSeconds) }}
{{- end }}

{{/* The port of a URL: explicit, or the scheme's default (http 80, https 443). */}}
{{- define "gpu-ledger.urlPort" -}}
{{- $u := urlParse . }}
{{- if regexMatch ":[0-9]+$" $u.host }}
{{- regexFind "[0-9]+$" $u.host }}
{{- else if eq $u.scheme "https" }}443
{{- else }}80
{{- end }}
{{- end }}

{{/* Pod annotations that roll the pods when their settings or credentials change. */}}
{{- define "gpu-ledger.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}

{{/* Settings shared by every container: the ConfigMap, the credentials Secret, the node's identity. */}}
{{- define "gpu-ledger.envFrom" -}}
- configMapRef:
    name: {{ include "gpu-ledger.fullname" . }}-config
- secretRef:
    name: {{ include "gpu-ledger.secretName" . }}
{{- end }}

{{/* The three probes on a named port, paths and timings from .Values.probes. */}}
{{- define "gpu-ledger.probes" -}}
{{- $port := .port }}
{{- range $kind, $p := .root.Values.probes }}
{{ $kind }}Probe:
  httpGet: { path: {{ $p.path }}, port: {{ $port }} }
  periodSeconds: {{ $p.periodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.failureThreshold }}
{{- end }}
{{- end }}

{{/* The enabled components and the port each serves (metrics, probes, API): a YAML list for fromYamlArray. */}}
{{- define "gpu-ledger.components" -}}
{{- with .Values.agent }}{{ if .enabled }}
- { name: agent, portName: metrics, port: {{ .metricsPort }} }
{{- end }}{{ end }}
{{- with .Values.pipeline }}{{ if .enabled }}
- { name: pipeline, portName: metrics, port: {{ .metricsPort }} }
{{- end }}{{ end }}
{{- with .Values.api }}{{ if .enabled }}
- { name: api, portName: http, port: {{ .port }} }
{{- end }}{{ end }}
{{- with .Values.extender }}{{ if .enabled }}
- { name: extender, portName: http, port: {{ .port }} }
{{- end }}{{ end }}
{{- end }}
