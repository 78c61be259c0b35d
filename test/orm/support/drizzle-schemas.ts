import { relations } from 'drizzle-orm';
import { int, mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import { integer as pgInteger, pgTable, text as pgText } from 'drizzle-orm/pg-core';
import { integer as sqliteInteger, sqliteTable, text as sqliteText } from 'drizzle-orm/sqlite-core';

// The same two tables on each dialect: notes, and tags pointing at them (relations make the
// schema object cyclic: table -> relation -> table).
const pgNotes = pgTable('orm_note', { id: pgInteger('id').primaryKey(), title: pgText('title').notNull() });
const pgTags = pgTable('orm_tag', { id: pgInteger('id').primaryKey(), noteId: pgInteger('note_id').notNull(), label: pgText('label').notNull() });
const myNotes = mysqlTable('orm_note', { id: int('id').primaryKey(), title: varchar('title', { length: 200 }).notNull() });
const myTags = mysqlTable('orm_tag', { id: int('id').primaryKey(), noteId: int('note_id').notNull(), label: varchar('label', { length: 200 }).notNull() });
const liteNotes = sqliteTable('orm_note', { id: sqliteInteger('id').primaryKey(), title: sqliteText('title').notNull() });
const liteTags = sqliteTable('orm_tag', { id: sqliteInteger('id').primaryKey(), noteId: sqliteInteger('note_id').notNull(), label: sqliteText('label').notNull() });

function schemaOf<N extends object, T extends object>(notes: N, tags: T) {
  return {
    notes,
    tags,
    notesRelations: relations(notes as never, ({ many }) => ({ tags: many(tags as never) })),
    tagsRelations: relations(tags as never, ({ one }) => ({
      note: one(notes as never, { fields: [(tags as { noteId: never }).noteId], references: [(notes as { id: never }).id] }),
    })),
  };
}

export const SCHEMAS = {
  postgresql: schemaOf(pgNotes, pgTags),
  mariadb: schemaOf(myNotes, myTags),
  sqlite: schemaOf(liteNotes, liteTags),
};

export const CREATE_TABLES = {
  postgresql: [
    'create table orm_note (id integer primary key, title text not null)',
    'create table orm_tag (id integer primary key, note_id integer not null, label text not null)',
  ],
  mariadb: [
    'create table orm_note (id int primary key, title varchar(200) not null)',
    'create table orm_tag (id int primary key, note_id int not null, label varchar(200) not null)',
  ],
  sqlite: [
    'create table orm_note (id integer primary key, title text not null)',
    'create table orm_tag (id integer primary key, note_id integer not null, label text not null)',
  ],
};
