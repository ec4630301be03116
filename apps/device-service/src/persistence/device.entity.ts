import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { DevicePlatform, DeviceTransport } from '@omni/contracts';
import { DevicePropertyValues, DeviceStatus, DeviceUserData } from '../domain/device';

@Entity({ name: 'devices' })
export class DeviceEntity {
  @PrimaryColumn({ type: 'text' })
  application!: string;

  @PrimaryColumn({ name: 'device_id', type: 'text' })
  deviceId!: string;

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId!: string | null;

  @Column({ name: 'user_name', type: 'text', nullable: true })
  userName!: string | null;

  @Column({ type: 'text' })
  platform!: DevicePlatform;

  @Column({ type: 'text' })
  transport!: DeviceTransport;

  @Column({ type: 'jsonb' })
  properties!: DevicePropertyValues;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ name: 'user_data', type: 'jsonb' })
  userData!: DeviceUserData;

  @Column({ type: 'text' })
  status!: DeviceStatus;

  @Column({ name: 'replaced_by', type: 'text', nullable: true })
  replacedBy!: string | null;

  @Column({ type: 'integer' })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
