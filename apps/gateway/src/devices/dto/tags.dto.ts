import { IsString } from 'class-validator';
import { AddDeviceTagsPayload, IsTag } from '@omni/contracts';

/** PUT /device/{deviceID}/addtag, /removetag: `{"tag": "one_tag"}`. */
export class TagDto {
  /** One string (IsTag alone would also take a list: its rules apply to each item). */
  @IsString()
  @IsTag()
  tag!: string;
}

/** PUT /device/{deviceID}/addtags, /removetags: `{"tags": ["one_tag", "two_tags"]}` (1 to 100). */
export class TagsDto extends AddDeviceTagsPayload {}
