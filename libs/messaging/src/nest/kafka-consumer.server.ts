import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { MessageConsumer } from '../consumer/message-consumer';

/**
 * Hosts a MessageConsumer as a Nest microservice transport, so the consumer starts with
 * `app.startAllMicroservices()` and stops with the app (graceful shutdown commits offsets).
 *
 * Dispatch goes through the consumer's explicit handler map rather than `@MessagePattern`
 * discovery: Nest's RPC exception layer would replace errors with a generic object, and the
 * consumer needs the real error to tell an outage (retry) from a poison message (dead-letter).
 */
export class KafkaConsumerServer extends Server implements CustomTransportStrategy {
  constructor(private readonly consumer: MessageConsumer) {
    super();
  }

  async listen(callback: () => void): Promise<void> {
    await this.consumer.start();
    callback();
  }

  async close(): Promise<void> {
    await this.consumer.stop();
  }

  on(): void {
    // No transport events to subscribe to: the consumer reports through logs and health.
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
