import { ConfigError, loadConfig } from '../../src/config/load';
import { secrets } from '../../src/logging/redact';

describe('server.metricsToken (METRICS_TOKEN)', () => {
  it('is unset by default, and an empty METRICS_TOKEN leaves it unset', () => {
    expect(loadConfig({ env: {} }).config.server.metricsToken).toBeUndefined();
    expect(loadConfig({ env: { METRICS_TOKEN: '' } }).config.server.metricsToken).toBeUndefined();
  });

  it('comes from METRICS_TOKEN and is registered for redaction', () => {
    const token = 'scrape-token-4b9Fq2LmXw';
    const { config } = loadConfig({ env: { METRICS_TOKEN: token } });
    expect(config.server.metricsToken).toBe(token);
    expect(secrets.maskString(`Bearer ${token}`)).toBe('Bearer [REDACTED]');
  });

  it('refuses a token too short to be a secret, naming the variable but not the value', () => {
    let message = '';
    try {
      loadConfig({ env: { METRICS_TOKEN: 'abc12' } });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/METRICS_TOKEN \(server\.metricsToken\)/);
    expect(message).toContain('expected a secret of at least 8 characters');
    expect(message).not.toContain('abc12');
  });
});
