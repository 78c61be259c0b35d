import { Injectable, NotFoundException } from '@nestjs/common';
import { ClockService } from '../clock/clock.service.js';
import type { CreateNoteInput, Note, NoteWithViews } from './note.interface.js';
import { NoteViewsService } from './note-views.service.js';
import { NotesConnection } from './notes.connection.js';

/** A row of the notes table (portable column names: no quoted identifiers). */
type NoteRow = { id: number | string; title: string; body: string; created_at: string };

const COLUMNS = 'id, title, body, created_at';

@Injectable()
export class NotesService {
  constructor(
    private readonly notes: NotesConnection,
    private readonly clock: ClockService,
    private readonly views: NoteViewsService,
  ) {}

  /** Reads go through query(): plain rows, retried on a broken connection. */
  async list(): Promise<Note[]> {
    const rows = await this.notes.query<NoteRow>(`select ${COLUMNS} from notes order by id`);
    return rows.map(toNote);
  }

  async get(id: number): Promise<NoteWithViews> {
    const note = await this.#find(id);
    return { ...note, views: await this.views.increment(id) };
  }

  /** Writes go through use(): never run twice behind the caller's back. */
  async create(input: CreateNoteInput): Promise<Note> {
    const createdAt = await this.clock.now();
    const id = await this.notes.use(async (knex) => {
      // PostgreSQL and SQLite return the new id with RETURNING; MySQL/MariaDB return insertId.
      const mysql = (knex.client as { config: { client: string } }).config.client === 'mysql2';
      const row = { title: input.title, body: input.body, created_at: createdAt };
      const [inserted] = mysql ? await knex('notes').insert(row) : await knex('notes').insert(row, ['id']);
      return Number(typeof inserted === 'object' ? (inserted as { id: number }).id : inserted);
    });
    return this.#find(id);
  }

  async remove(id: number): Promise<void> {
    const deleted = await this.notes.use((knex) => knex('notes').where({ id }).del());
    if (deleted === 0) throw new NotFoundException(`Note ${id} not found`);
  }

  async #find(id: number): Promise<Note> {
    const [row] = await this.notes.query<NoteRow>(`select ${COLUMNS} from notes where id = ?`, { params: [id] });
    if (!row) throw new NotFoundException(`Note ${id} not found`);
    return toNote(row);
  }
}

function toNote(row: NoteRow): Note {
  return { id: Number(row.id), title: row.title, body: row.body, createdAt: row.created_at };
}
