import { Module } from '@nestjs/common';
import { MeController } from './me.controller.js';

/** Who the caller is and which orgs they can read (every app has it). */
@Module({ controllers: [MeController] })
export class MeModule {}
