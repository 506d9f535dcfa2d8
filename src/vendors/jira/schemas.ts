import { z } from 'zod';

/**
 * Shapes of the Jira Cloud REST API v3 answers we read. Objects are loose because Jira adds
 * fields freely (self links, avatars, expand hints); we validate only what we use, and accept
 * null wherever Jira clears a field instead of omitting it.
 */

/** Jira ids are numeric strings in most answers but plain numbers in a few (remote links). */
export const jiraId = z.union([z.string(), z.number()]).transform(String);

export const statusCategorySchema = z.looseObject({
  id: z.number().optional(),
  key: z.string(),
  name: z.string().optional(),
});

export const statusSchema = z.looseObject({
  id: z.string().nullish(),
  name: z.string(),
  statusCategory: statusCategorySchema.nullish(),
});

const namedSchema = z.looseObject({ id: z.string().optional(), name: z.string() });

export const userSchema = z.looseObject({
  accountId: z.string(),
  displayName: z.string().nullish(),
  emailAddress: z.string().nullish(),
});

/**
 * A comment's author as Jira names it. Not `userSchema`: an author can be a deleted or
 * anonymous user whose accountId Jira leaves out, and that must not drop the whole issue.
 */
export const commentAuthorSchema = z.looseObject({
  accountId: z.string().nullish(),
  displayName: z.string().nullish(),
});

export const commentSchema = z.looseObject({
  id: jiraId,
  self: z.string().optional(),
  author: commentAuthorSchema.nullish(),
  updateAuthor: commentAuthorSchema.nullish(),
  // ADF from v3, a wiki-markup string from v2; adf-text.ts reads either.
  body: z.unknown().optional(),
  created: z.string(),
  updated: z.string().nullish(),
  visibility: z.looseObject({ type: z.string().nullish(), value: z.string().nullish() }).nullish(),
  // Sent where Jira Service Management splits public replies from internal notes.
  jsdPublic: z.boolean().nullish(),
});

/**
 * The `comment` field of an issue and GET /issue/{id}/comment: one page of comments. `total`
 * counts them all, so a page holding fewer says the rest must be read from the comment endpoint.
 */
export const commentPageSchema = z.looseObject({
  comments: z.array(commentSchema),
  startAt: z.number().nullish(),
  maxResults: z.number().nullish(),
  total: z.number().nullish(),
});

export const issueFieldsSchema = z.looseObject({
  summary: z.string(),
  status: statusSchema,
  issuetype: namedSchema.nullish(),
  priority: namedSchema.nullish(),
  labels: z.array(z.string()).nullish(),
  assignee: userSchema.nullish(),
  resolution: namedSchema.nullish(),
  created: z.string(),
  updated: z.string(),
  comment: commentPageSchema.nullish(),
});

export const issueSchema = z.looseObject({
  id: z.string(),
  key: z.string(),
  self: z.string(),
  fields: issueFieldsSchema,
});

export const createIssueResponseSchema = z.looseObject({
  id: z.string(),
  key: z.string(),
  self: z.string(),
});

export const commentResponseSchema = z.looseObject({
  id: z.string(),
  self: z.string().optional(),
  author: userSchema.nullish(),
  body: z.unknown().optional(),
  created: z.string().optional(),
  updated: z.string().optional(),
});

export const transitionSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  to: z.looseObject({
    id: z.string(),
    name: z.string(),
    statusCategory: statusCategorySchema.nullish(),
  }),
});

export const transitionsResponseSchema = z.looseObject({
  transitions: z.array(transitionSchema),
});

export const remoteLinkResponseSchema = z.looseObject({
  id: jiraId,
  self: z.string().optional(),
});

export const searchResponseSchema = z.looseObject({
  issues: z.array(issueSchema),
  nextPageToken: z.string().nullish(),
  isLast: z.boolean().optional(),
});

export const entityPropertySchema = z.looseObject({
  key: z.string(),
  value: z.unknown(),
});

/** Jira's error body on 4xx: general messages plus a map of field id to message. */
export const errorBodySchema = z.looseObject({
  errorMessages: z.array(z.string()).optional(),
  errors: z.record(z.string(), z.unknown()).optional(),
});

/** 204 answers and writes whose body we ignore. */
export const emptyResponseSchema = z.unknown();

export type RawIssue = z.infer<typeof issueSchema>;
export type RawComment = z.infer<typeof commentSchema>;
export type RawCommentPage = z.infer<typeof commentPageSchema>;
export type RawTransition = z.infer<typeof transitionSchema>;
export type RawSearchResponse = z.infer<typeof searchResponseSchema>;

/** GET /myself: the API user, with the time zone its JQL dates are read in. */
export const myselfSchema = z.looseObject({
  accountId: z.string(),
  timeZone: z.string().nullish(),
});
