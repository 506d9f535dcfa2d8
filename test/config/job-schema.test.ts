import { ConfigError, loadConfig } from '../../src/config/load';

describe('database.jobSchema (PGBOSS_SCHEMA): where pg-boss keeps its queues on PostgreSQL', () => {
  it('defaults to pgboss and comes from PGBOSS_SCHEMA', () => {
    expect(loadConfig({ env: {} }).config.database.jobSchema).toBe('pgboss');
    expect(loadConfig({ env: { PGBOSS_SCHEMA: 'helpdesk_sync_jobs' } }).config.database.jobSchema).toBe('helpdesk_sync_jobs');
  });

  it('refuses a name that is not a plain PostgreSQL schema name, naming the variable', () => {
    expect(() => loadConfig({ env: { PGBOSS_SCHEMA: 'jobs; DROP TABLE x' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { PGBOSS_SCHEMA: 'jobs; DROP TABLE x' } })).toThrow(/PGBOSS_SCHEMA/);
  });
});
