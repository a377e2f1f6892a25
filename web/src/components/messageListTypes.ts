/** The rows of the message list (MessageList, MessageRow): day separators, member lines and bubbles. */
import type { MessageUpdate, MessageView } from '@protocol';
import type { OutgoingMessage } from '@/stores/outbox';

/** A message the server stored. `head`: the first of a run from one sender (avatar and name). */
export interface StoredRow {
  kind: 'stored';
  key: string;
  message: MessageView;
  head: boolean;
}

/** A message of the outbox: still on its way, or refused. */
export interface OutgoingRow {
  kind: 'outgoing';
  key: string;
  item: OutgoingMessage;
  head: boolean;
}

/** Either kind of message: both show as the same bubble. */
export type BubbleRow = StoredRow | OutgoingRow;

export type ListRow = { kind: 'day'; key: string; label: string } | { kind: 'member'; key: string; event: MessageUpdate } | BubbleRow;
