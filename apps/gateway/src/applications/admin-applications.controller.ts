import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Accepts } from '../auth/auth.guard';
import { ApiError } from '../errors/api-error';
import { ApplicationKeyPipe } from './application-key.pipe';
import { ApplicationsStore } from './applications.store';
import { CreateApplicationDto } from './dto/create-application.dto';
import { ListQueryDto } from './dto/list-query.dto';
import { RotateSecretDto } from './dto/rotate-secret.dto';

const notFound = () => new ApiError(404, 'APPLICATION_NOT_FOUND', 'application not found');

/** The application registry (admin credential). Secrets appear only in create and rotate answers. */
@Controller('admin/applications')
@Accepts('admin')
export class AdminApplicationsController {
  constructor(private readonly applications: ApplicationsStore) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: CreateApplicationDto) {
    return { application: await this.applications.create(body.name) };
  }

  @Get()
  async list(@Query() query: ListQueryDto) {
    return this.applications.list(query.skip ?? 0, query.limit ?? 100);
  }

  @Get(':applicationKey')
  async get(@Param('applicationKey', ApplicationKeyPipe) applicationKey: string) {
    const application = await this.applications.get(applicationKey);
    if (!application) throw notFound();
    return { application };
  }

  /** Rename. */
  @Put(':applicationKey')
  async rename(@Param('applicationKey', ApplicationKeyPipe) applicationKey: string, @Body() body: CreateApplicationDto) {
    const application = await this.applications.rename(applicationKey, body.name);
    if (!application) throw notFound();
    return { application };
  }

  /** Replace a secret: the old one stops working at once on every gateway. */
  @Post(':applicationKey/rotate')
  @HttpCode(200)
  async rotate(@Param('applicationKey', ApplicationKeyPipe) applicationKey: string, @Body() body: RotateSecretDto) {
    const secret = await this.applications.rotate(applicationKey, body.secret);
    if (!secret) throw notFound();
    return body.secret === 'master' ? { applicationKey, masterSecret: secret } : { applicationKey, applicationSecret: secret };
  }

  @Delete(':applicationKey')
  @HttpCode(204)
  async delete(@Param('applicationKey', ApplicationKeyPipe) applicationKey: string): Promise<void> {
    if (!(await this.applications.delete(applicationKey))) throw notFound();
  }
}
