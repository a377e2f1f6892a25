/** What opens a message's menu, and what its actions are (MessageItem, MessageMenu, MessageList). */

export interface MenuRequest {
  /** A popover at the pointer (desktop) or a sheet from the bottom (phones). */
  mode: 'popover' | 'sheet';
  x: number;
  y: number;
  /** Open on the emoji picker. */
  picker?: boolean;
}

export type MenuAction = 'reply' | 'copy' | 'edit' | 'delete' | 'pin';
