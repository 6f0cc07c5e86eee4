/**
 * Frames for one connection travel on its node's topic, so a node holds one subscription for all
 * its sockets instead of one per socket. A connection id names its node (`<node>.<uuid>`); the
 * message is `<connection id>\n<frame or control message>`.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from './connection.ts';
import { deliver } from './hub.ts';

/** The topic of one node: frames addressed to single connections living on it. */
export const nodeTopic = (nodeId: string) => `node:${nodeId}`;

/** A new connection id on `node`. */
export function newConnectionId(node: string): string {
  return `${node}.${randomUUID()}`;
}

/** The topic and message that reach one connection, wherever it lives. */
export function addressConnection(connectionId: string, payload: string): { topic: string; message: string } {
  const dot = connectionId.indexOf('.');
  if (dot <= 0) throw new TypeError(`not a connection id: ${JSON.stringify(connectionId)}`);
  return { topic: nodeTopic(connectionId.slice(0, dot)), message: `${connectionId}\n${payload}` };
}

/** The node topic's listener: hands each message to the addressed local connection, if it is still here. */
export function deliverDirect(connections: ReadonlyMap<string, Connection>): (message: string) => void {
  return (message) => {
    const newline = message.indexOf('\n');
    const connection = connections.get(message.slice(0, newline));
    if (connection) deliver(message.slice(newline + 1), [connection], 1);
  };
}
