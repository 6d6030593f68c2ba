import http from 'node:http';

/**
 * One health probe: the HTTP interface answers `SELECT 1` with `1`. Never throws. Plain node:http
 * without keep-alive, so a finished probe leaves no socket that delays the CLI's exit.
 */
export function probeClickHouse(url: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(
      `${url}/?query=${encodeURIComponent('SELECT 1')}`,
      { agent: false, timeout: timeoutMs },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(response.statusCode === 200 && body.trim() === '1'));
        response.on('error', () => resolve(false));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}
