import { describe, expect, it } from 'vitest';
import { serveMs } from './demo.ts';

describe('demo: how long the API and console are served', () => {
  it('serves until Ctrl-C in a terminal, not in a script, never with --no-serve, and as long as --api-for says', () => {
    expect(serveMs({ serve: true }, true)).toBe(Infinity);
    expect(serveMs({ serve: true }, false)).toBe(0);
    expect(serveMs({ serve: false }, true)).toBe(0);
    expect(serveMs({ serve: false, apiFor: '10m' }, true)).toBe(0);
    expect(serveMs({ serve: true, apiFor: '10m' }, false)).toBe(600_000);
    expect(serveMs({ serve: true, apiFor: 'forever' }, false)).toBe(Infinity);
    expect(serveMs({ serve: true, apiFor: '0' }, true)).toBe(0);
  });
});
