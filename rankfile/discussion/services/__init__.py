"""Discussion services: every change to articles and comments goes through here.

- ``articles``: article_create, article_update, article_submit, article_publish,
  article_unpublish, article_delete.
- ``comments``: comment_post, comment_edit, comment_withdraw, comment_report.
- ``moderation``: comment_moderate, commenter_erase_request, commenter_erase_by_link,
  commenter_erase_email, and the spam and abuse checks with their log.
- ``settings``: tags, blocked terms, approved commenters and comment policies (the admin).
"""
