import { Module } from '@nestjs/common';
import { ArticlesController } from './articles.controller.js';
import { ArticlesService } from './articles.service.js';

// No TypeOrmModule.forFeature([ArticleEntity]): @InjectConnectionRepository registers the
// repository and adds the entity to the connection's entities.
@Module({
  controllers: [ArticlesController],
  providers: [ArticlesService],
})
export class ArticlesModule {}
