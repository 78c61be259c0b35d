import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
} from '@nestjs/common';
import type { CreateNoteInput, Note, NoteWithViews } from './note.interface.js';
import { NotesService } from './notes.service.js';

@Controller('notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Get()
  list(): Promise<Note[]> {
    return this.notes.list();
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number): Promise<NoteWithViews> {
    return this.notes.get(id);
  }

  @Post()
  create(@Body() body: unknown): Promise<Note> {
    return this.notes.create(parseCreateNote(body));
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseIntPipe) id: number): Promise<void> {
    return this.notes.remove(id);
  }
}

/** A small hand-written check, so the sample needs no validation package. */
function parseCreateNote(body: unknown): CreateNoteInput {
  const { title, body: text } = (body ?? {}) as Record<string, unknown>;
  if (typeof title !== 'string' || title.trim() === '' || title.length > 200) {
    throw new BadRequestException('title must be a non-empty string of at most 200 characters');
  }
  if (text !== undefined && (typeof text !== 'string' || text.length > 10_000)) {
    throw new BadRequestException('body must be a string of at most 10000 characters');
  }
  return { title: title.trim(), body: (text as string | undefined) ?? '' };
}
