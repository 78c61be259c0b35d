export interface Note {
  id: number;
  title: string;
  body: string;
  /** ISO timestamp. */
  createdAt: string;
}

/** A note as GET /notes/:id answers it: with how often it was read. */
export interface NoteWithViews extends Note {
  /** Null when the view counter is unavailable (a Redis outage must not break reads). */
  views: number | null;
}

export interface CreateNoteInput {
  title: string;
  body: string;
}
