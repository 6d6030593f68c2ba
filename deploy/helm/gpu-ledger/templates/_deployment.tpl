{{/*
A stateless component's Deployment (pipeline, API, extender): one container running
`gpu-ledger <args>`, the shared settings, probes on its port, no service-account token, the grace
period of the shutdown contract. Called with (dict "root" $ "component" NAME "values" COMPONENT_VALUES
"args" LIST "portName" NAME "port" INT "env" LIST "strategy" DICT "pricing" BOOL).
*/}}
{{- define "gpu-ledger.deployment" -}}
{{- $root := .root }}
{{- $v := .values }}
{{- $ctx := dict "root" $root "component" .component }}
{{- $pricing := and .pricing (or $root.Values.pricing.catalog $root.Values.pricing.costConfig) }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "gpu-ledger.componentName" $ctx }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "gpu-ledger.labels" $ctx | nindent 4 }}
spec:
  replicas: {{ $v.replicas }}
  {{- with .strategy }}
  strategy:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "gpu-ledger.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "gpu-ledger.labels" $ctx | nindent 8 }}
      annotations:
        {{- include "gpu-ledger.checksums" $root | nindent 8 }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: {{ include "gpu-ledger.graceSeconds" $root }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "gpu-ledger.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          workingDir: {{ $root.Values.image.workingDir }}
          command:
            {{- toYaml $root.Values.image.command | nindent 12 }}
          args:
            {{- toYaml (concat .args $v.extraArgs) | nindent 12 }}
          ports:
            - { name: {{ .portName }}, containerPort: {{ .port }}, protocol: TCP }
          envFrom:
            {{- include "gpu-ledger.envFrom" $root | nindent 12 }}
          {{- $env := concat .env $v.extraEnv }}
          {{- if $pricing }}
          {{- if $root.Values.pricing.catalog }}
          {{- $env = append $env (dict "name" "GPU_LEDGER_PRICE_CATALOG" "value" "/etc/gpu-ledger/pricing/catalog.yaml") }}
          {{- end }}
          {{- if $root.Values.pricing.costConfig }}
          {{- $env = append $env (dict "name" "GPU_LEDGER_COST_CONFIG" "value" "/etc/gpu-ledger/pricing/cost-config.yaml") }}
          {{- end }}
          {{- end }}
          {{- with $env }}
          env:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- include "gpu-ledger.probes" (dict "root" $root "port" .portName) | trim | nindent 10 }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
            {{- if $pricing }}
            - { name: pricing, mountPath: /etc/gpu-ledger/pricing, readOnly: true }
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- if $pricing }}
        - name: pricing
          configMap:
            name: {{ include "gpu-ledger.fullname" $root }}-pricing
        {{- end }}
{{- end }}

{{/* A component's Service: (dict "root" $ "component" NAME "portName" NAME "port" INT "type" TYPE "headless" BOOL). */}}
{{- define "gpu-ledger.service" -}}
{{- $ctx := dict "root" .root "component" .component }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "gpu-ledger.componentName" $ctx }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "gpu-ledger.labels" $ctx | nindent 4 }}
spec:
  {{- if .headless }}
  clusterIP: None
  {{- else }}
  type: {{ .type | default "ClusterIP" }}
  {{- end }}
  selector:
    {{- include "gpu-ledger.selectorLabels" $ctx | nindent 4 }}
  ports:
    - name: {{ .portName }}
      port: {{ .servicePort | default .port }}
      targetPort: {{ .portName }}
      protocol: TCP
{{- end }}
