import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../../lib/index.js';
import { ClockModule } from '../clock/clock.module.js';
import { NoteViewsService } from './note-views.service.js';
import { NotesConnection } from './notes.connection.js';
import { NotesController } from './notes.controller.js';
import { NotesService } from './notes.service.js';

@Module({
  imports: [ConnectionsModule.forFeature([NotesConnection]), ClockModule],
  controllers: [NotesController],
  providers: [NotesService, NoteViewsService],
})
export class NotesModule {}
