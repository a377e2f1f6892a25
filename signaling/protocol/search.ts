import { z } from 'zod';
import type { MessageView } from './models';

/** Message search (issue 13): GET /api/search. */
export const SearchLimits = { pageDefault: 20, pageMax: 100, queryMax: 200 } as const;

export const SearchQuery = z.object({
  q: z.string().trim().min(1).max(SearchLimits.queryMax),
  sessionid: z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex id').optional(),
  /** A message `time` (ms): only older messages (the next page). */
  before: z.coerce.number().int().min(1).optional(),
  /**
   * With `before`, the msgid of the last result: messages of exactly `before` with a smaller msgid
   * come too, so messages stored in one millisecond page without gaps (an addition to the contract).
   */
  beforeId: z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex id').optional(),
  limit: z.coerce.number().int().min(1).max(SearchLimits.pageMax).default(SearchLimits.pageDefault),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export interface SearchResult {
  message: MessageView;
  sessionid: string;
}

export interface SearchAnswer {
  results: SearchResult[];
}
