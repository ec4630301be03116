import { Message, MessageType } from '@omni/contracts';
import { MessageContext } from '../consumer/message-consumer';

/**
 * A handler for one message type. Apps list their handlers explicitly (one file each) in a
 * provider for MESSAGE_HANDLERS; nothing is discovered by reflection.
 */
export interface MessageHandler<T extends MessageType = MessageType> {
  readonly type: T;
  handle(message: Message<T>, context: MessageContext): Promise<void>;
}

export const MESSAGE_HANDLERS = Symbol('MESSAGE_HANDLERS');

export function handlerMap(handlers: MessageHandler[]): Map<MessageType, MessageHandler> {
  const map = new Map<MessageType, MessageHandler>();
  for (const handler of handlers) {
    if (map.has(handler.type)) throw new Error(`two handlers for "${handler.type}"`);
    map.set(handler.type, handler);
  }
  return map;
}
