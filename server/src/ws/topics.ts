/** Channel-layer topic names, in one place so every publisher and subscriber agrees. */
export const topics = {
  /** One connection, wherever it lives. */
  connection: (connectionId: string) => `conn:${connectionId}`,
} as const;
