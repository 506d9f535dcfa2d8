import type { JiraSandbox } from '../../../src/sandbox/jira';
import { VendorApiError } from '../../../src/vendors/core/errors';
import type { JiraClient } from '../../../src/vendors/jira/client';
import { adf, basic, clientFor, startSandbox } from './helpers';

let sandbox: JiraSandbox;
let url: string;
let client: JiraClient;

beforeEach(async () => {
  ({ sandbox, url } = await startSandbox());
  client = clientFor(url);
});
afterEach(() => sandbox.close());

/** Callers find transitions by target status, never by id: Jira's transition ids differ between workflows. */
async function moveTo(key: string, statusName: string, comment?: string): Promise<void> {
  const transitions = await client.listTransitions(key);
  const t = transitions.find((x) => x.to.name === statusName);
  if (!t) throw new Error(`no transition to ${statusName} from ${(await client.getIssue(key)).status.name}`);
  await client.doTransition(key, t.id, comment ? adf(comment) : undefined);
}

async function newIssue(): Promise<string> {
  const { key } = await client.createIssue({ fields: { project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'system is down' } });
  return key;
}

describe("Jira sandbox: the SUP-20 incident's service-desk workflow", () => {
  it('offers Investigate and Pending from Open, with per-workflow ids and status categories', async () => {
    const key = await newIssue();
    const transitions = await client.listTransitions(key);
    expect(transitions).toEqual([
      { id: '11', name: 'Investigate', to: { id: '3', name: 'Work in progress', categoryKey: 'indeterminate' } },
      { id: '21', name: 'Pending', to: { id: '10003', name: 'Pending', categoryKey: 'indeterminate' } },
    ]);
  });

  it('runs Open -> Work in progress -> Completed (resolution Done) -> Closed', async () => {
    const key = await newIssue();
    await moveTo(key, 'Work in progress');
    expect((await client.getIssue(key)).status).toEqual({ id: '3', name: 'Work in progress', categoryKey: 'indeterminate' });

    await moveTo(key, 'Completed', 'Problem was solved');
    const completed = await client.getIssue(key);
    expect(completed.status.categoryKey).toBe('done');
    expect(completed.resolution).toBe('Done');
    expect(sandbox.comments(key).map((c) => c.authorId)).toHaveLength(1);

    await moveTo(key, 'Closed');
    const closed = await client.getIssue(key);
    expect(closed.status.name).toBe('Closed');
    expect(closed.resolution).toBe('Done');
    expect((await client.listTransitions(key)).map((t) => t.name)).toEqual(['Reopen']);
  });

  it('goes back to work in progress from Completed and reopens from Closed, clearing the resolution', async () => {
    const key = await newIssue();
    await moveTo(key, 'Work in progress');
    await moveTo(key, 'Completed');
    const back = (await client.listTransitions(key)).find((t) => t.name === 'Back to work in progress');
    expect(back?.to.name).toBe('Work in progress');
    await client.doTransition(key, back?.id ?? '');
    expect(await client.getIssue(key)).toMatchObject({ status: { name: 'Work in progress' }, resolution: null });

    await moveTo(key, 'Completed');
    await moveTo(key, 'Closed');
    const reopen = (await client.listTransitions(key)).find((t) => t.name === 'Reopen');
    await client.doTransition(key, reopen?.id ?? '');
    expect(await client.getIssue(key)).toMatchObject({ status: { name: 'Work in progress' }, resolution: null });
    expect(sandbox.issue(key)?.resolutionDate).toBeNull();
  });

  it('refuses a transition that is not valid from the current status', async () => {
    const key = await newIssue();
    let err: unknown;
    try {
      await client.doTransition(key, '41');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VendorApiError);
    expect((err as VendorApiError).status).toBe(400);
    expect((err as VendorApiError).vendorMessage).toBe("Transition id '41' is not valid for this issue.");
    expect(sandbox.statusOf(key)).toBe('Open');
  });

  it('takes a resolution on Resolve only, naming any field not on the screen', async () => {
    const key = await newIssue();
    await moveTo(key, 'Work in progress');
    const post = (body: unknown) =>
      fetch(`${url}/rest/api/3/issue/${key}/transitions`, {
        method: 'POST',
        headers: { Authorization: basic('priya'), 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await post({ transition: { id: '31' }, fields: { assignee: { accountId: 'x' } } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, string> }).errors).toHaveProperty('assignee');
    const ok = await post({ transition: { id: '31' }, fields: { resolution: { name: "Won't Do" } } });
    expect(ok.status).toBe(204);
    expect((await client.getIssue(key)).resolution).toBe("Won't Do");
  });
});
