import { ValidateBy } from 'class-validator';
import { UpdateDevicePayload } from '@omni/contracts';

/** PUT /device/{deviceID}: the updatable device properties; absent stays, null clears. */
export class UpdateDeviceDto extends UpdateDevicePayload {}

/**
 * `location` is an object, not an array: the contract's `@ValidateNested()` validates each element
 * of an array, so `"location": []` passed, and the device-service failed on it (found by the
 * gateway fuzzer). Added to the inherited property's rules (IsOptional still lets null clear it);
 * the documented schema stays the DeviceLocation object it already is.
 */
export function requireLocationObject(dto: new () => unknown): void {
  ValidateBy({
    name: 'isLocationObject',
    validator: {
      validate: (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value),
      defaultMessage: () => 'location must be a GeoJSON Point object ({"type": "Point", "coordinates": [longitude, latitude]})',
    },
  })(dto.prototype as object, 'location');
}

requireLocationObject(UpdateDeviceDto);
