/**
 * `helpdesk-sync serve` with proactive throttling turned on for the connections named in
 * BENCH_THROTTLE (JSON: [{"vendor": "zendesk", "connectionId": "default", "calls": 679, "windowMs": 6000}]).
 * The configuration has no setting for it yet, so the benchmark opts in here, in the process
 * that makes the calls, before the CLI starts the server.
 */
import type { Vendor } from '../src/domain/ticket';
import { setProactiveThrottle } from '../src/vendors/core/throttle';

const spec = JSON.parse(process.env.BENCH_THROTTLE ?? '[]') as Array<{ vendor: Vendor; connectionId: string; calls: number; windowMs: number }>;
for (const t of spec) setProactiveThrottle(t.vendor, t.connectionId, { calls: t.calls, windowMs: t.windowMs });

// The CLI runs on import and reads its command (`serve`) from process.argv.
void import('../src/cli/main');
