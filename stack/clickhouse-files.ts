import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StackConfig } from './config.ts';

const escapeXml = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** Fills `{{NAME}}` placeholders with XML-escaped values. Pure; an unknown placeholder is an error, not a silent blank. */
export function renderTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder {{${name}}} has no value`);
    return escapeXml(String(value));
  });
}

/** Renders infra/clickhouse/{config,users}.xml.tmpl into the run dir and creates the server's directories. */
export async function writeClickHouseFiles(config: StackConfig): Promise<void> {
  const ch = config.clickhouse;
  const values = {
    HOST: config.host,
    HTTP_PORT: ch.httpPort,
    TCP_PORT: ch.tcpPort,
    CLICKHOUSE_DIR: ch.dir,
    LOGS_DIR: config.logsDir,
  };
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas'])
    await mkdir(path.join(ch.dir, sub), { recursive: true });
  await mkdir(config.logsDir, { recursive: true });
  const [configTmpl, usersTmpl] = await Promise.all([
    readFile(path.join(ch.templatesDir, 'config.xml.tmpl'), 'utf8'),
    readFile(path.join(ch.templatesDir, 'users.xml.tmpl'), 'utf8'),
  ]);
  await writeFile(ch.configFile, renderTemplate(configTmpl, values));
  await writeFile(ch.usersFile, renderTemplate(usersTmpl, values));
}
