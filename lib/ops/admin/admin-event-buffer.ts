/** One event as streamed: its id, the JSON of the `ConnectionEvent`, and the whole SSE frame. */
export interface BufferedEvent {
  readonly id: number;
  readonly json: string;
  readonly frame: string;
}

/**
 * The recent events of the admin stream, for `Last-Event-ID` resumes and the snapshot a new
 * client starts from: the newest ones, bounded both in count and in bytes (one huge masked
 * error must not pin megabytes), oldest dropped first. Ids grow by one from 1.
 */
export class AdminEventBuffer {
  readonly #items: BufferedEvent[] = [];
  #head = 0;
  #bytes = 0;
  #lastId = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  /** The id of the newest event (0 before the first). */
  get lastId(): number {
    return this.#lastId;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Serializes `event` once, keeps it, and returns it for writing to every client. */
  push(event: unknown): BufferedEvent {
    const id = ++this.#lastId;
    const json = JSON.stringify(event);
    const item: BufferedEvent = { id, json, frame: `id: ${id}\ndata: ${json}\n\n` };
    this.#items.push(item);
    this.#bytes += item.frame.length;
    while (this.size > 0 && (this.size > this.maxEvents || this.#bytes > this.maxBytes)) {
      this.#bytes -= this.#items[this.#head].frame.length;
      this.#head++;
    }
    // Compact once the dropped prefix is as long as what is kept: amortized O(1) per push.
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /**
   * The events after `lastId`, when the buffer still holds every one of them; `null` when some
   * were dropped already, or `lastId` is newer than anything here (another process's id).
   */
  after(lastId: number): BufferedEvent[] | null {
    if (lastId > this.#lastId) return null;
    const oldest = this.size > 0 ? this.#items[this.#head].id : this.#lastId + 1;
    if (lastId < oldest - 1) return null;
    return this.#items.slice(this.#head + (lastId - oldest + 1));
  }

  /** The newest `limit` events. */
  recent(limit: number): BufferedEvent[] {
    return this.#items.slice(Math.max(this.#head, this.#items.length - limit));
  }
}
