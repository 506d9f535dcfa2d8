import type { LoadedConfig } from '../config/load';
import type { JiraConnectionConfig } from '../config/schema';
import type { HelpdeskVendor } from '../domain/ticket';
import { adfToText } from '../jira/adf';
import { composeIssue, ticketGlobalId } from '../jira/compose';
import { decideKind } from '../jira/trigger';
import type { IssueKind } from '../jira/types';
import { createLogger } from '../logging/logger';
import { VendorClients } from '../sync/clients';

export interface PreviewOptions {
  vendor: HelpdeskVendor;
  ticket: string;
  connection: string;
  as?: IssueKind;
}

export interface Preview {
  ticket: { vendor: HelpdeskVendor; connectionId: string; id: string; url: string };
  /** The kind a J1 trigger gives, or null when none holds now. */
  trigger: IssueKind | null;
  kind: IssueKind;
  /** The create call's fields as they would be sent (the description as ADF). */
  fields: ReturnType<typeof composeIssue>['fields'];
  properties: ReturnType<typeof composeIssue>['properties'];
  missing: string[];
  truncated: boolean;
}

/**
 * The Jira issue helpdesk-sync would raise for a ticket (J1-J5). It only reads: the ticket from
 * the helpdesk; nothing is written to any vendor or to the store.
 */
export async function composePreview(loaded: LoadedConfig, options: PreviewOptions): Promise<Preview> {
  const clients = new VendorClients(loaded.connections, loaded.config, createLogger({ level: 'error' }));
  const client = clients.helpdesk(options.vendor, options.connection);
  if (!client) {
    const c = loaded.connections.find((x) => x.vendor === options.vendor && x.id === options.connection);
    throw new Error(c ? `${options.vendor} connection "${options.connection}" is disabled: set ${c.missing.join(', ')}` : `no ${options.vendor} connection "${options.connection}"`);
  }
  const config = loaded.config.jiraIssues;
  const ticket = await client.getTicket(options.ticket);
  const triggered = decideKind(ticket, config.triggers);
  const kind = options.as ?? triggered ?? 'bug';
  const jira = loaded.connections.find((c) => c.vendor === 'jira' && c.id === config.jiraConnection);
  const projectKey = (jira?.settings as JiraConnectionConfig | undefined)?.projectKey ?? '(JIRA_PROJECT_KEY not set)';
  const composed = composeIssue({ ticket, kind, owner: ticket.assignee ?? null, trail: [], projectKey, config, now: new Date() });
  return {
    ticket: { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id, url: ticket.url },
    trigger: triggered,
    kind,
    fields: composed.fields,
    properties: composed.properties,
    missing: composed.missing,
    truncated: composed.truncated,
  };
}

/** The preview as text for a person. */
export function previewLines(loaded: LoadedConfig, preview: Preview): string[] {
  const config = loaded.config.jiraIssues;
  const { ticket, kind } = preview;
  const triggered = preview.trigger;
  const composed = preview;
  const f = composed.fields;
  const keyStorage = config.keyStorage.kind === 'tag' ? `tag ${config.keyStorage.prefix}<KEY>` : `custom field ${config.keyStorage.field} = <KEY>`;
  return [
    `Preview of the Jira issue for ${ticket.vendor} ticket ${ticket.id} (${ticket.url}). Nothing is written.`,
    triggered ? `Trigger (J1): holds, as a ${triggered}.` : `Trigger (J1): none holds, so no issue would be raised now; shown as a ${kind}.`,
    `Summary:     ${f.summary}`,
    `Project:     ${f.project.key}    Issue type: ${f.issuetype.name}    Priority: ${f.priority?.name ?? '(none)'}`,
    `Labels:      ${f.labels.join(', ')}`,
    `Properties:  ${composed.properties.map((p) => `${p.key} = ${JSON.stringify(p.value)}`).join('; ')}`,
    composed.missing.length
      ? `Missing (J5): ${composed.missing.join(', ')}: labelled ${config.needsInfoLabel}, and the owner gets a private note listing them.`
      : 'Missing (J5): nothing.',
    `Then (J4):   remote link ${ticketGlobalId({ vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id })} on the issue; a private note with the key and URL on the ticket; ${keyStorage}.`,
    composed.truncated ? 'The description was shortened to fit Jira.' : '',
    '',
    'Description:',
    ...adfToText(f.description)
      .split('\n')
      .map((line) => `  ${line}`),
  ].filter((line, i, all) => line !== '' || all[i - 1] !== '');
}
