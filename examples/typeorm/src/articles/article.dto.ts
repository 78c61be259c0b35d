/** `POST /api/articles` and `PUT /api/articles/:slug` bodies: `{ "article": { ... } }`. */
export interface ArticleInput {
  title?: string;
  description?: string;
  body?: string;
}

/** What the API answers for one article. */
export interface ArticleView {
  slug: string;
  title: string;
  description: string;
  body: string;
  favoritesCount: number;
  createdAt: string;
  updatedAt: string;
}
