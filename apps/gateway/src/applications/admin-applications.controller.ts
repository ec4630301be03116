import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Accepts } from '../auth/auth.guard';
import { ApplicationsStore } from '../auth/applications.store';
import { CreateApplicationDto } from './dto/create-application.dto';

/** Application registry (admin credential). */
@Controller('admin/applications')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsStore) {}

  /** Create an application. Its secrets are shown in this answer only. */
  @Post()
  @HttpCode(201)
  @Accepts('admin')
  async create(@Body() body: CreateApplicationDto) {
    const created = await this.applications.create(body.name);
    return { application: created };
  }
}
