import { describe, expect, it } from 'vitest';
import { parseListen } from '../../../../controller/daemon/metrics/metrics-server.js';

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    [':9100', { host: '0.0.0.0', port: 9100 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
  ])('reads %s', (listen, expected) => expect(parseListen(listen)).toEqual(expected));

  it.each(['9464', '127.0.0.1', '127.0.0.1:99999', '::1:9464', 'host:port'])('refuses %s naming it', (listen) => {
    expect(() => parseListen(listen)).toThrow(expect.objectContaining({ code: 'E_CONFIG_INVALID', message: expect.stringContaining(JSON.stringify(listen)) }));
  });
});
