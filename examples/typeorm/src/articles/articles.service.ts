import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { InjectConnection } from 'nestjs-connections';
import { InjectConnectionRepository, type ConnectionRepository, type TypeOrmConnection } from 'nestjs-connections/typeorm';
import { ArticleEntity } from './article.entity.js';
import type { ArticleInput, ArticleView } from './article.dto.js';

/**
 * The articles, through TypeORM. Written as with `@nestjs/typeorm`: the repository is injected
 * and called directly. Each call runs on the DataSource in service, so resetting the
 * connection (admin API, credential rotation) never breaks this service.
 */
@Injectable()
export class ArticlesService {
  constructor(
    @InjectConnectionRepository(ArticleEntity) private readonly articles: ConnectionRepository<ArticleEntity>,
    // The connection itself, for query builders and transactions (they need one DataSource throughout).
    @InjectConnection('articles') private readonly conn: TypeOrmConnection,
  ) {}

  async list(limit = 20, offset = 0): Promise<{ articles: ArticleView[]; articlesCount: number }> {
    const [rows, articlesCount] = await this.articles.findAndCount({ order: { createdAt: 'DESC', id: 'DESC' }, take: limit, skip: offset });
    return { articles: rows.map(view), articlesCount };
  }

  async get(slug: string): Promise<ArticleView> {
    return view(await this.#find(slug));
  }

  async create(input: ArticleInput): Promise<ArticleView> {
    if (!input?.title) throw new UnprocessableEntityException({ errors: { title: ["can't be blank"] } });
    const slug = await this.#freeSlug(slugify(input.title));
    const saved = await this.articles.save(
      this.articles.create({ slug, title: input.title, description: input.description ?? '', body: input.body ?? '' }),
    );
    return view(saved);
  }

  async update(slug: string, input: ArticleInput): Promise<ArticleView> {
    const article = await this.#find(slug);
    Object.assign(article, pick(input));
    return view(await this.articles.save(article));
  }

  async remove(slug: string): Promise<void> {
    const { affected } = await this.articles.delete({ slug });
    if (!affected) throw new NotFoundException(`no article "${slug}"`);
  }

  /** Read and write in one transaction: `conn.transaction` gives TypeORM's EntityManager. */
  async favorite(slug: string): Promise<ArticleView> {
    return this.conn.transaction(async (manager) => {
      await manager.increment(ArticleEntity, { slug }, 'favoritesCount', 1);
      const article = await manager.findOneBy(ArticleEntity, { slug });
      if (!article) throw new NotFoundException(`no article "${slug}"`);
      return view(article);
    });
  }

  /** A query builder goes through `use()`: it is tied to the DataSource it was made on. */
  async titles(): Promise<string[]> {
    const rows = await this.conn.use((ds) =>
      ds.getRepository(ArticleEntity).createQueryBuilder('a').select('a.title', 'title').orderBy('a.title').getRawMany<{ title: string }>(),
    );
    return rows.map((row) => row.title);
  }

  async #find(slug: string): Promise<ArticleEntity> {
    const article = await this.articles.findOneBy({ slug });
    if (!article) throw new NotFoundException(`no article "${slug}"`);
    return article;
  }

  async #freeSlug(base: string): Promise<string> {
    let slug = base;
    for (let n = 2; await this.articles.existsBy({ slug }); n++) slug = `${base}-${n}`;
    return slug;
  }
}

function slugify(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'article';
}

function pick(input: ArticleInput): ArticleInput {
  const out: ArticleInput = {};
  for (const key of ['title', 'description', 'body'] as const) if (typeof input?.[key] === 'string') out[key] = input[key];
  return out;
}

function view(a: ArticleEntity): ArticleView {
  return {
    slug: a.slug,
    title: a.title,
    description: a.description,
    body: a.body,
    favoritesCount: a.favoritesCount,
    createdAt: new Date(a.createdAt).toISOString(),
    updatedAt: new Date(a.updatedAt).toISOString(),
  };
}
