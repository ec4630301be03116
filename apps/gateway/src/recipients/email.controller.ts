import { Body, Controller, Delete, Inject, Param, Post, Put, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Accepts, ApplicationKey } from '../auth/auth.guard';
import { reply } from '../commands/http-answer';
import { WriteHeaders, WriteOptions } from '../commands/request-headers';
import { ConfirmRecipientDto, CreateEmailDto, RecipientTagsDto, UpdateRecipientDto } from './dto/recipient.dto';
import { EMAIL_COMMANDS, RecipientCommands } from './recipient-commands';
import { RecipientIdPipe } from './recipient-id.pipe';

/** `{deviceID}` of these routes: a email recipient id, else 404 as for an unknown one. */
const ID = new RecipientIdPipe('email');

/**
 * Email contacts (reference: Notificare push API, `/email`), for the backend (master secret).
 * Every write is a recipient.* command on recipient.commands keyed by the recipient id (see
 * RecipientCommands for the answers). A contact that is unknown, deactivated (but to POST) or
 * another application's is 404 `RECIPIENT_NOT_FOUND`, the same body whichever it is.
 */
@Controller('email')
export class EmailController {
  constructor(@Inject(EMAIL_COMMANDS) private readonly recipients: RecipientCommands) {}

  /** Create an email contact (`{"email": "myemail@domain.com", "userID": "U123456789", …}`): 201 new, 200 known (reactivated if it was deactivated), with the recipient id. */
  @Post()
  @Accepts('master')
  async create(
    @ApplicationKey() application: string,
    @Body() body: CreateEmailDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.recipients.register(application, body.email, body, write));
  }

  /** Update language, region, country, time zone, user, user data (the user's, for a contact of a user), tags (added), verification: 200 `{"message": "email contact updated"}` (202 `"email contact updated, pending validation"` with `Prefer: respond-async`). */
  @Put(':deviceID')
  @Accepts('master')
  async update(
    @ApplicationKey() application: string,
    @Param('deviceID', ID) id: string,
    @Body() body: UpdateRecipientDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.recipients.update(application, id, body, write));
  }

  /** Deactivate: 204. */
  @Delete(':deviceID')
  @Accepts('master')
  async deactivate(
    @ApplicationKey() application: string,
    @Param('deviceID', ID) id: string,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.recipients.deactivate(application, id, write));
  }

  /** `{"token": "…"}`: verify a pending contact with the single-use token it was sent; 200, or 400 `INVALID_TOKEN`. */
  @Put(':deviceID/confirm')
  @Accepts('master')
  async confirm(
    @ApplicationKey() application: string,
    @Param('deviceID', ID) id: string,
    @Body() body: ConfirmRecipientDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.recipients.confirm(application, id, body.token, write));
  }

  /** `{"tags": ["tag1", "tag2"]}`: 200 `{"message": "tags added"}`; tags it has stay once. */
  @Put(':deviceID/addtags')
  @Accepts('master')
  async addTags(
    @ApplicationKey() application: string,
    @Param('deviceID', ID) id: string,
    @Body() body: RecipientTagsDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.recipients.addTags(application, id, body.tags, write));
  }

  /** `{"tags": ["tag1"]}`: 200 `{"message": "tags removed"}`; tags it does not have are ignored. */
  @Put(':deviceID/removetags')
  @Accepts('master')
  async removeTags(
    @ApplicationKey() application: string,
    @Param('deviceID', ID) id: string,
    @Body() body: RecipientTagsDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.recipients.removeTags(application, id, body.tags, write));
  }

  /** Remove every tag: 200 `{"message": "tags cleared"}`. */
  @Put(':deviceID/cleartags')
  @Accepts('master')
  async clearTags(
    @ApplicationKey() application: string,
    @Param('deviceID', ID) id: string,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.recipients.clearTags(application, id, write));
  }
}
