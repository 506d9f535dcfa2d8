import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auditPageRouter } from '../../src/audit/page';
import type { AuditDetail, AuditPage, AuditPair, KnowledgeGapItem } from '../../src/audit/types';
import type { AuditDay } from '../../src/store/types';

/**
 * A stand-in for /api/audit/... that answers fixed data, typed by the API's own types, beside
 * the real page router: for what the demo's data cannot show (hostile text in a ticket).
 */
export function fixturePair(overrides: { subject?: string; url?: string | null; id?: string; problemText?: string } = {}): AuditPair {
  const id = overrides.id ?? '42';
  return {
    ticket: {
      vendor: 'zendesk',
      connectionId: 'default',
      id,
      url: overrides.url === undefined ? `https://example.zendesk.com/agent/tickets/${id}` : overrides.url,
      subject: overrides.subject ?? 'Printer on fire',
      status: 'open',
      vendorStatus: 'open',
      priority: 'high',
      groupId: '7',
      assigneeId: '9',
      requester: 'Ana Lima',
      createdAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-02T10:00:00.000Z',
    },
    issue: {
      connectionId: 'default',
      id: '10001',
      key: 'SUP-1',
      url: 'https://example.atlassian.net/browse/SUP-1',
      summary: 'Printer on fire',
      status: 'To Do',
      statusCategory: 'new',
      priority: 'High',
      issueType: 'Bug',
      labels: ['helpdesk-sync'],
      updatedAt: '2026-03-02T10:00:00.000Z',
    },
    link: { state: 'linked', kind: 'bug', linkedAt: '2026-03-02T09:30:00.000Z', updatedAt: '2026-03-02T09:30:00.000Z' },
    drift: [],
    completeness: {
      sections: [
        { name: 'requester', title: 'Requester', present: true, required: false },
        { name: 'steps', title: 'Steps to reproduce', present: false, required: true },
      ],
      missing: ['steps'],
      needsInfo: true,
      complete: false,
    },
    sla: null,
    owner: { id: '9', name: 'Dana Fox', groupId: '7', groupName: 'Aegent Tier 1', since: '2026-03-02T09:00:00.000Z', claimedAt: null },
    trail: { handoffs: [], escalations: 1, roundTrips: 0 },
    violations: [],
    knowledge: null,
    problems: [{ code: 'incomplete', ruleId: 'J5', text: overrides.problemText ?? 'needs info: steps' }],
  };
}

export interface FixtureApi {
  url: string;
  close(): Promise<void>;
}

export async function startFixtureApi(options: { token: string; pairs: AuditPair[] }): Promise<FixtureApi> {
  const app = express();
  app.use(auditPageRouter());
  app.use('/api/audit', (req, res, next) => {
    if (req.headers.authorization !== `Bearer ${options.token}`) return res.status(401).json({ error: 'the audit needs Authorization: Bearer <AUDIT_TOKEN>' });
    return next();
  });
  // Pages of `limit` from the index in `cursor`, as the real API pages with its opaque cursor.
  app.get('/api/audit/links', (req, res) => {
    const from = Number(req.query.cursor ?? 0);
    const limit = Number(req.query.limit ?? 50);
    const items = options.pairs.slice(from, from + limit);
    const page: AuditPage = { items, next: from + limit < options.pairs.length ? String(from + limit) : null, scanned: items.length };
    res.json(page);
  });
  app.get('/api/audit/links/:vendor/:connection/:ticketId', (req, res) => {
    const pair = options.pairs.find((p) => p.ticket.vendor === req.params.vendor && p.ticket.connectionId === req.params.connection && p.ticket.id === req.params.ticketId);
    if (!pair) return res.status(404).json({ error: 'no such pair' });
    const detail: AuditDetail = {
      ...pair,
      decisions: [],
      timeline: [{ at: pair.link.linkedAt, kind: 'raised', ruleId: 'J1', verdict: null, text: `Jira bug ${pair.issue?.key ?? ''} raised for ${pair.ticket.subject ?? ''}` }],
    };
    return res.json(detail);
  });
  app.get('/api/audit/timeline', (_req, res) => {
    const days: AuditDay[] = [{ day: '2026-03-02', escalations: 1, violations: 0, raised: options.pairs.length }];
    res.json({ from: '2026-02-01T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', days });
  });
  app.get('/api/audit/knowledge-gaps', (_req, res) => {
    const items: KnowledgeGapItem[] = [];
    res.json({ items });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
