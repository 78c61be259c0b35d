import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { InjectConnectionRepository, type ConnectionRepository } from 'nestjs-connections/typeorm';

/** The entity of the TypeORM suites: explicit ids, so writes are id-keyed and counted exactly. */
@Entity({ name: 'orm_article' })
export class Article {
  @PrimaryColumn({ type: 'int' })
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'int', default: 0 })
  views!: number;
}

/** A service the way an app writes one: the repository injected, no `use()` in sight. */
@Injectable()
export class ArticleStore {
  constructor(@InjectConnectionRepository(Article) readonly articles: ConnectionRepository<Article>) {}
}
