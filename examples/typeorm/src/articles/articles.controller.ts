import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post, Put, Query, DefaultValuePipe } from '@nestjs/common';
import { ArticlesService } from './articles.service.js';
import type { ArticleInput } from './article.dto.js';

@Controller('api/articles')
export class ArticlesController {
  constructor(private readonly articles: ArticlesService) {}

  @Get()
  list(
    @Query('limit', new DefaultValuePipe(20), ParseIntPipe) limit: number,
    @Query('offset', new DefaultValuePipe(0), ParseIntPipe) offset: number,
  ) {
    return this.articles.list(limit, offset);
  }

  @Get('titles')
  async titles() {
    return { titles: await this.articles.titles() };
  }

  @Get(':slug')
  async get(@Param('slug') slug: string) {
    return { article: await this.articles.get(slug) };
  }

  @Post()
  async create(@Body('article') input: ArticleInput) {
    return { article: await this.articles.create(input) };
  }

  @Put(':slug')
  async update(@Param('slug') slug: string, @Body('article') input: ArticleInput) {
    return { article: await this.articles.update(slug, input) };
  }

  @Post(':slug/favorite')
  async favorite(@Param('slug') slug: string) {
    return { article: await this.articles.favorite(slug) };
  }

  @Delete(':slug')
  @HttpCode(204)
  async remove(@Param('slug') slug: string) {
    await this.articles.remove(slug);
  }
}
