/** The event type the sla job (and S3's look at a changed bug) queues for a ticket to be read now. */
export const SLA_CHECK_EVENT = 'sweep.sla';
