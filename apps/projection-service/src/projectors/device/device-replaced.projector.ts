import { Injectable } from '@nestjs/common';
import { DEVICE_REPLACED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class DeviceReplacedProjector implements MessageHandler<typeof DEVICE_REPLACED> {
  readonly type = DEVICE_REPLACED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_REPLACED>): Promise<void> {
    const { application, aggregateId: deviceId } = event;
    return this.projection.apply('device', event, async (em) => {
      // The device lives on under its new id (registered with what it carried): drop the old one.
      await this.projection.devices.delete(em, application, deviceId);
    });
  }
}
