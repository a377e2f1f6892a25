import { z } from 'zod';

/** A stream key as its owner sees it in the list (the key itself is shown once, when made). */
export interface StreamKeyInfo {
  keyid: string;
  title: string;
  /** The conversation its streams are announced in. */
  sessionid?: string;
  createdAt: number;
}

/** `POST /api/live/keys` answers the key once: only its hash is kept. */
export interface CreateStreamKeyResult {
  keyid: string;
  key: string;
}

export const StreamKeyLimits = { titleMax: 100, perUser: 20 } as const;

export const CreateStreamKeyBody = z.object({
  title: z.string().trim().min(1).max(StreamKeyLimits.titleMax),
  sessionid: z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex id').optional(),
});
export type CreateStreamKeyBody = z.infer<typeof CreateStreamKeyBody>;
