# ruff: noqa: E501 - HTML fixtures keep the line shapes of the CMSs they imitate
"""Small sites written the way four common CMS conventions write them, for runs
without any selector: a WordPress blog (en), a Drupal site with a paginated
listing (fr), a Blogspot-style blog whose posts are ``<br>``-separated text (en),
and an Arabic news site with teaser ``<article>`` cards and comment threads.

Every article page carries page furniture a reader does not want translated: a
menu, a sidebar, share links, related posts, reader comments and a comment form.
``ARTICLES`` lists, per article URL path, sentences that must be in its published
body and sentences that must not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ARTICLES", "LISTINGS", "Expect", "build_sites"]


@dataclass(frozen=True)
class Expect:
    title: str
    must: tuple[str, ...]
    must_not: tuple[str, ...] = field(default=())


ARTICLES: dict[str, Expect] = {}
LISTINGS: set[str] = set()  # paths of listing pages discovery finds (pagers, categories)

# --- WordPress (en) ---------------------------------------------------------------------

_WP_POSTS = {
    "2026/03/literacy-forum": (
        "Regional forum adopts a plan for adult literacy",
        [
            "Education ministers from twenty-one member states closed a three-day forum "
            "in Rabat by adopting a five-year plan to reduce adult illiteracy.",
            "According to the final report, the share of adults who cannot read a simple "
            "text fell from 31 per cent in 2015 to 25 per cent in 2025, but progress "
            "remains uneven between rural and urban areas.",
            "Delegates stressed that women in remote regions are still twice as likely to "
            "be left behind, and asked for programmes that reach them where they live.",
            "The plan will be reviewed at the next general conference, where each country "
            "will present the indicators it collected during the year.",
        ],
    ),
    "2026/04/teacher-training": (
        "New teacher training centres open in three countries",
        [
            "Three teacher training centres opened this month with the support of the "
            "organisation and of national education ministries.",
            "Each centre will train about four hundred teachers a year in digital skills, "
            "inclusive education and the teaching of reading in the early grades.",
            "The first cohort includes teachers from rural schools who were selected by "
            "their regional directorates after an open call for applications.",
            "An evaluation of the programme is planned after two years, with results to be "
            "published in the three working languages of the organisation.",
        ],
    ),
}

_WP_PAGE = """<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8">
<title>{title} &#8211; Learning Matters</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Learning Matters">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{date}T09:30:00+01:00">
<link rel="stylesheet" href="/wp-content/themes/twentytwenty/style.css"></head>
<body class="post-template-default single single-post">
<header id="site-header" class="header-footer-group"><div class="header-titles">
<p class="site-title"><a href="/">Learning Matters</a></p>
<p class="site-description">News about education and literacy</p></div>
<nav class="primary-menu-wrapper"><ul class="primary-menu"><li><a href="/">Home</a></li>
<li><a href="/category/news/">News</a></li><li><a href="/about/">About us</a></li></ul></nav>
</header>
<main id="site-content" role="main">
<article class="post type-post status-publish format-standard hentry category-news">
<header class="entry-header"><div class="entry-categories"><a href="/category/news/"
rel="category tag">News</a></div><h1 class="entry-title">{title}</h1>
<div class="post-meta-wrapper"><ul class="post-meta"><li class="post-author">By
<a href="/author/editor/">Editorial team</a></li><li class="post-date"><time
datetime="{date}T09:30:00+01:00">{pretty}</time></li></ul></div></header>
<div class="post-inner"><div class="entry-content">
{paragraphs}
<figure class="wp-block-image"><img src="/wp-content/uploads/{slug}.jpg" alt="Photo of the event"></figure>
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3><ul>
<li><a href="https://twitter.com/share" class="share-twitter">Twitter</a></li>
<li><a href="https://www.facebook.com/sharer.php" class="share-facebook">Facebook</a></li>
<li><a href="#print" class="share-print">Print</a></li></ul></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3>Related</h3>
<div class="jp-relatedposts-post"><h4><a href="/2025/11/school-meals/">School meals programme
extended to ten more districts</a></h4></div></div>
</div></div>
<div class="author-bio"><h2 class="author-title">Written by the editorial team</h2>
<p class="author-description">The editorial team covers education policy across the region
and welcomes story ideas from readers.</p></div>
<div class="comments-wrapper"><div class="comments" id="comments">
<h2 class="comment-reply-title">2 replies on &ldquo;{title}&rdquo;</h2>
<div class="comment" id="comment-4"><div class="comment-meta">Amina says:</div>
<div class="comment-content"><p>Great news for our village, my mother finally joined a
reading class last winter and she loves it.</p></div></div>
<div class="comment" id="comment-5"><div class="comment-meta">Peter says:</div>
<div class="comment-content"><p>Will the indicators be published for every district or only
for the national level?</p></div></div>
<div id="respond" class="comment-respond"><h2 id="reply-title">Leave a Reply</h2>
<form action="/wp-comments-post.php" method="post" id="commentform"><p>Your email address
will not be published.</p><textarea name="comment"></textarea>
<input type="submit" value="Post Comment"></form></div></div></div>
</article></main>
<footer id="site-footer"><p>&copy; 2026 Learning Matters. Powered by WordPress.</p></footer>
</body></html>"""

_WP_LISTING = """<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8">
<title>News &#8211; Learning Matters</title><meta property="og:type" content="website">
<script type="application/ld+json">{{"@context":"https://schema.org","@graph":[
{{"@type":"CollectionPage","name":"News"}}]}}</script></head>
<body class="archive category"><main id="site-content">
<header class="archive-header"><h1 class="archive-title">Category: News</h1></header>
{teasers}
<div class="pagination-wrapper"><nav class="navigation pagination"><div class="nav-links">
<span class="page-numbers current">1</span><a class="page-numbers" href="/wp/category/news/page/2/">2</a>
<a class="next page-numbers" href="/wp/category/news/page/2/">Older posts</a></div></nav></div>
</main></body></html>"""

_WP_TEASER = """<article class="post type-post hentry"><header class="entry-header">
<h2 class="entry-title heading-size-1"><a href="/{slug}/">{title}</a></h2></header>
<div class="entry-content"><p>{first}</p></div></article>"""

# --- Drupal (fr), a paginated listing ---------------------------------------------------

_DRUPAL_NODES = {
    "patrimoine-manuscrit": (
        "Lancement d’un programme de numérisation du patrimoine manuscrit",
        [
            "L’organisation a lancé mercredi à Tunis un programme régional destiné à "
            "numériser et à protéger les manuscrits anciens des bibliothèques publiques.",
            "Le projet, conduit avec les ministères de la culture de six pays, prévoit la "
            "formation de cent vingt archivistes aux techniques de conservation préventive.",
            "Les images numérisées seront publiées sur un portail ouvert, accompagnées de "
            "notices rédigées en arabe, en français et en anglais.",
            "Un premier bilan sera présenté au printemps prochain devant le comité "
            "scientifique chargé de suivre la mise en œuvre du programme.",
        ],
    ),
    "journee-langue-arabe": (
        "Journée mondiale de la langue arabe : une journée de rencontres à Rabat",
        [
            "À l’occasion de la Journée mondiale de la langue arabe, l’organisation a "
            "ouvert les portes de son siège au public pour une journée de rencontres.",
            "Des écrivains, des traducteurs et des enseignants ont animé des ateliers de "
            "lecture et de calligraphie destinés aux élèves des écoles de la ville.",
            "Le programme comprenait aussi une table ronde sur l’enseignement de l’arabe "
            "aux non-arabophones, suivie d’un échange avec le public.",
            "Les enregistrements des conférences seront mis en ligne dans les prochains "
            "jours sur le site de l’organisation.",
        ],
    ),
}

_DRUPAL_PAGE = """<!DOCTYPE html><html lang="fr" dir="ltr"><head><meta charset="utf-8">
<title>{title} | Organisation régionale</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<script type="application/ld+json">{{"@context":"https://schema.org","@graph":[
{{"@type":"NewsArticle","headline":"{title}","datePublished":"{date}T10:00:00+01:00"}}]}}</script>
</head><body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">Aller au contenu principal</a>
<div class="dialog-off-canvas-main-canvas"><header role="banner"><div class="region-header">
<a href="/fr" rel="home">Organisation régionale</a></div>
<nav role="navigation" aria-labelledby="block-main-menu"><ul class="menu"><li><a
href="/fr">Accueil</a></li><li><a href="/fr/actualites">Actualités</a></li></ul></nav></header>
<div class="region-breadcrumb"><nav class="breadcrumb"><ol><li><a href="/fr">Accueil</a></li>
<li><a href="/fr/actualites">Actualités</a></li></ol></nav></div>
<main role="main"><a id="main-content" tabindex="-1"></a>
<div class="region-content"><article role="article" class="node node--type-article node--view-mode-full">
<h1 class="page-title"><span class="field field--name-title">{title}</span></h1>
<div class="node__meta"><span class="field--name-created">Publié le {pretty}</span></div>
<div class="node__content"><div class="clearfix text-formatted field field--name-body field__item">
{paragraphs}
</div>
<div class="field field--name-field-tags"><div class="field__label">Étiquettes</div>
<div class="field__items"><div class="field__item"><a href="/fr/etiquettes/patrimoine">Patrimoine</a></div>
<div class="field__item"><a href="/fr/etiquettes/culture">Culture</a></div></div></div>
<section class="comments field--name-comment"><h2 class="title comment-form__title">Commentaires</h2>
<article role="article" class="comment js-comment by-anonymous"><footer class="comment__meta">
<p class="comment__author">Karim</p></footer><div class="comment__content"><h3><a
href="/fr/comment/12#comment-12">Très belle initiative</a></h3><div class="field--name-comment-body">
<p>Très belle initiative, j’espère que les manuscrits de notre bibliothèque municipale
seront inclus dans la prochaine phase du programme.</p></div></div></article>
<h2 class="title comment-form__title">Ajouter un commentaire</h2>
<form class="comment-comment-form comment-form" action="/fr/comment/reply/node/7/comment"
method="post"><label>Votre nom</label><input type="text" name="name">
<textarea name="comment_body"></textarea><input type="submit" value="Enregistrer"></form>
</section></div></article></div></main>
<footer role="contentinfo"><p>© 2026 Organisation régionale — Mentions légales</p></footer>
</div></body></html>"""

_DRUPAL_LISTING = """<!DOCTYPE html><html lang="fr" dir="ltr"><head><meta charset="utf-8">
<title>Actualités | Organisation régionale</title></head><body class="path-actualites">
<header role="banner"><a href="/fr" rel="home">Organisation régionale</a></header>
<main role="main"><h1 class="page-title">Actualités</h1><div class="view view-actualites">
<div class="view-content">{teasers}</div>
<nav class="pager" role="navigation" aria-labelledby="pagination-heading">
<h4 id="pagination-heading" class="visually-hidden">Pagination</h4><ul class="pager__items js-pager__items">
<li class="pager__item is-active"><a href="?page=0" title="Page courante">1</a></li>
<li class="pager__item"><a href="?page=1" title="Aller à la page 2">2</a></li>
<li class="pager__item"><a href="?page=2" title="Aller à la page 3">3</a></li>
<li class="pager__item pager__item--next"><a href="?page=1" rel="next">Suivant ›</a></li>
</ul></nav></div></main></body></html>"""

_DRUPAL_TEASER = """<div class="views-row"><article role="article" class="node node--type-article
node--view-mode-teaser"><h2><a href="/fr/actualites/{slug}/" rel="bookmark"><span>{title}</span></a></h2>
<div class="field--name-body"><p>{first}</p></div></article></div>"""

# Older news, on the second page of the listing: teaser cards of other articles.
_DRUPAL_OLDER = [
    ("Rencontre des jeunes chercheurs à Tunis", "Trente jeunes chercheurs ont présenté leurs travaux."),
    ("Un atlas des langues de la région", "Un atlas interactif recense les langues parlées."),
    ("Bourses d’études pour 2027", "L’appel à candidatures pour les bourses est ouvert."),
]  # fmt: skip

# --- Blogspot-style (en): <br>-separated text, no <p> ------------------------------------

_BLOG_POSTS = {
    "2026/02/field-notes-rural-schools.html": (
        "Field notes from three rural schools",
        [
            "The mission visited three rural schools this week, each more than two hours "
            "away from the nearest town by road.",
            "In every school the teachers showed us the reading corners they built with "
            "books donated by families and by the regional library service.",
            "The children read aloud to us in two languages, and several of them asked "
            "when the next visit would bring new books for the older classes.",
            "A detailed report with recommendations for the regional directorate will be "
            "published next month on this blog.",
        ],
    ),
}

_BLOG_PAGE = """<!DOCTYPE html><html dir="ltr" lang="en"><head><meta charset="UTF-8">
<title>Teaching Far Away: {title}</title>
<meta content="{title}" property="og:title"></head><body class="variant-simple">
<div class="content-outer"><header><div class="header-outer"><div class="Header widget"
id="Header1"><h1 class="title"><a href="/">Teaching Far Away</a></h1>
<p class="description">Notes from a travelling teacher trainer</p></div></div></header>
<div class="columns"><div class="main-outer"><div class="main section" id="main">
<div class="widget Blog" id="Blog1"><div class="blog-posts hfeed">
<div class="date-outer"><h2 class="date-header"><span>Monday, {pretty}</span></h2>
<div class="post hentry" itemprop="blogPost" itemscope="itemscope"
itemtype="http://schema.org/BlogPosting">
<h3 class="post-title entry-title" itemprop="name">{title}</h3>
<div class="post-header"></div>
<div class="post-body entry-content" id="post-body-1" itemprop="description articleBody">
{paragraphs}
</div>
<div class="post-footer"><div class="post-footer-line post-footer-line-1"><span
class="post-author vcard">Posted by <span class="fn">Sara</span></span>
<span class="post-timestamp">at <a class="timestamp-link" href="#">10:12</a></span>
<span class="post-comment-link"></span><span class="post-icons"><a href="#" title="Email Post">Email This</a></span>
<div class="post-share-buttons goog-inline-block"><a class="share-button sb-email" href="#">Email This</a>
<a class="share-button sb-blog" href="#">BlogThis!</a><a class="share-button sb-twitter" href="#">Share to Twitter</a></div>
</div></div></div>
<div class="comments" id="comments"><h4>3 comments:</h4><div id="comment-holder">
<dl class="comments-block" id="comments-block"><dt class="comment-author">Jonas said...</dt>
<dd class="comment-body"><p>Lovely to read about the reading corners, we started one in our
school too after your last post.</p></dd>
<dt class="comment-author">Mei said...</dt><dd class="comment-body"><p>Could you share the
list of books the families donated?</p></dd></dl></div>
<p class="comment-footer"><a href="#" onclick="">Post a Comment</a></p></div>
</div></div></div></div>
<div class="sidebar-outer"><div class="sidebar section" id="sidebar-right-1">
<div class="widget BlogArchive" id="BlogArchive1"><h2>Blog Archive</h2><ul class="hierarchy">
<li><a href="/2026/">2026</a> (4)</li><li><a href="/2025/">2025</a> (12)</li></ul></div>
<div class="widget Profile" id="Profile1"><h2>About Me</h2><dl class="profile-datablock">
<dd class="profile-textblock">Teacher trainer working with rural schools since 2009.</dd></dl></div>
</div></div></div></div></body></html>"""

# --- Arabic news site: teaser <article> cards, comment threads ----------------------------

_NEWS_STORIES = {
    "ar/news/2026/05/digital-schools": (
        "إطلاق مبادرة إقليمية لتعزيز التعليم الرقمي في المدارس الريفية",
        [
            "أطلقت المنظمة يوم الأربعاء في الرباط مبادرة إقليمية جديدة تهدف إلى تعزيز "
            "التعليم الرقمي في المدارس الريفية بمشاركة وزراء التربية من عدة دول.",
            "وتشمل المبادرة تزويد ثلاثمائة مدرسة بأجهزة حاسوب وربطها بشبكة الإنترنت، "
            "إلى جانب تدريب المعلمين على استخدام الموارد التعليمية المفتوحة.",
            "وأكد المشاركون أن سد الفجوة الرقمية بين المدن والقرى شرط أساسي لتحقيق "
            "تكافؤ الفرص بين جميع التلاميذ في المنطقة.",
            "ومن المنتظر أن يقدم تقرير أول عن تنفيذ المبادرة خلال المؤتمر العام المقبل "
            "للمنظمة في نهاية السنة.",
        ],
    ),
}

_NEWS_PAGE = """<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{title} - بوابة الأخبار</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{date}T08:00:00+03:00"></head>
<body><div class="top-bar"><a href="/ar/">الرئيسية</a> <a href="/ar/news/">الأخبار</a></div>
<div class="layout"><article class="card teaser"><a href="/ar/news/2026/04/exams">
<h3>نتائج الامتحانات الوطنية</h3></a></article>
<main class="main-column"><article class="story">
<h1 class="story-title">{title}</h1><div class="story-date"><time datetime="{date}">{pretty}</time></div>
<div class="story-body">{paragraphs}</div>
<div class="story-tools"><a href="#print">طباعة</a> <a href="#share">مشاركة</a>
<button class="audio-player">استمع إلى المقال</button></div></article>
<section class="more-news"><h2>أخبار ذات صلة</h2>
<article class="card teaser"><h3><a href="/ar/news/2026/04/libraries">افتتاح مكتبات مدرسية جديدة في الجنوب</a></h3>
<p>افتتحت عشر مكتبات مدرسية جديدة هذا الأسبوع.</p></article>
<article class="card teaser"><h3><a href="/ar/news/2026/03/grants">منح دراسية لطلاب الدراسات العليا</a></h3>
<p>أعلنت المنظمة عن برنامج منح جديد.</p></article></section>
<section class="comment-thread" id="comments"><h2>تعليقات القراء</h2>
<article class="comment"><p class="comment-author">سعاد</p><p>مبادرة رائعة نتمنى أن تصل إلى
قريتنا في أقرب وقت ممكن.</p></article>
<article class="comment"><p class="comment-author">يوسف</p><p>هل ستشمل المبادرة المدارس
الإعدادية أيضا؟</p></article><a class="add-comment" href="#comment-form">أضف تعليقا</a></section>
</main><aside class="sidebar"><h2>الأكثر قراءة</h2><ul><li><a href="/ar/news/1">خبر أول</a></li>
<li><a href="/ar/news/2">خبر ثان</a></li></ul></aside></div>
<footer><p>جميع الحقوق محفوظة © 2026</p></footer></body></html>"""

_NEWS_LISTING = """<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>الأخبار - بوابة الأخبار</title></head><body><main class="main-column">
<h1>الأخبار</h1>{teasers}</main></body></html>"""

_NEWS_TEASER = """<article class="card teaser"><h2><a href="/{slug}">{title}</a></h2>
<p>{first}</p></article>"""

_NEWS_FILLER = [
    ("ar/news/2026/04/exams", "نتائج الامتحانات الوطنية", "أعلنت وزارة التربية نتائج الامتحانات."),
    ("ar/news/2026/04/libraries", "افتتاح مكتبات مدرسية جديدة", "افتتحت عشر مكتبات مدرسية."),
    ("ar/news/2026/03/grants", "منح دراسية لطلاب الدراسات العليا", "أعلنت المنظمة عن منح."),
]  # fmt: skip


def _ps(sentences: list[str], extra: str = "") -> str:
    first = f"<p>{sentences[0]} {extra}</p>" if extra else f"<p>{sentences[0]}</p>"
    return first + "".join(f"<p>{s}</p>" for s in sentences[1:])


def build_sites() -> dict[str, str]:
    """The four sites' pages by URL path (a path ending in ``/`` for a directory-style
    URL); the query string is not part of the path, as for a static server."""
    pages: dict[str, str] = {}

    def write(path: str, text: str) -> None:
        pages["/" + path.removesuffix("index.html")] = text

    dates = iter(
        ["2026-03-12", "2026-04-08", "2026-04-15", "2026-04-22", "2026-02-09", "2026-05-20"]
    )
    months = {"02": "February", "03": "March", "04": "April", "05": "May"}

    teasers = []
    for slug, (title, sentences) in _WP_POSTS.items():
        date = next(dates)
        pretty = f"{months[date[5:7]]} {int(date[8:])}, 2026"
        link = ' Read the <a href="/programmes/literacy/">programme page</a> and <em>share it</em>.'
        write(
            f"wp/{slug}/index.html",
            _WP_PAGE.format(
                title=title,
                date=date,
                pretty=pretty,
                slug=slug.replace("/", "-"),
                paragraphs=_ps(sentences, link),
            ),
        )
        teasers.append(_WP_TEASER.format(slug=f"wp/{slug}", title=title, first=sentences[0]))
        ARTICLES[f"/wp/{slug}/"] = Expect(
            title,
            (sentences[0], sentences[-1], "programme page"),
            ("Amina says", "my mother finally joined", "Leave a Reply", "Share this",
             "School meals programme", "Written by the editorial team", "Powered by WordPress"),
        )  # fmt: skip
    write("wp/category/news/index.html", _WP_LISTING.format(teasers="".join(teasers)))
    write("wp/category/news/page/2/index.html", _WP_LISTING.format(teasers="".join(teasers)))
    LISTINGS.add("/wp/category/news/page/2/")

    teasers = []
    for slug, (title, sentences) in _DRUPAL_NODES.items():
        date = next(dates)
        write(
            f"fr/actualites/{slug}/index.html",
            _DRUPAL_PAGE.format(title=title, date=date, pretty=date, paragraphs=_ps(sentences)),
        )
        teasers.append(_DRUPAL_TEASER.format(slug=slug, title=title, first=sentences[0][:80] + "…"))
        ARTICLES[f"/fr/actualites/{slug}/"] = Expect(
            title,
            (sentences[0], sentences[-1]),
            ("Très belle initiative", "Ajouter un commentaire", "Étiquettes", "Mentions légales",
             "Aller au contenu principal"),
        )  # fmt: skip
    older = "".join(
        _DRUPAL_TEASER.format(slug=f"archives-{i}", title=t, first=f)
        for i, (t, f) in enumerate(_DRUPAL_OLDER)
    )
    # One file answers /fr/actualites/ and /fr/actualites/?page=N (the query is ignored
    # by a static server): the pager's pages are the listing again, as on a real site.
    write("fr/actualites/index.html", _DRUPAL_LISTING.format(teasers="".join(teasers) + older))
    LISTINGS.update({"/fr/actualites/?page=0", "/fr/actualites/?page=1", "/fr/actualites/?page=2"})

    for slug, (title, sentences) in _BLOG_POSTS.items():
        date = next(dates)
        body = "<br><br>".join(sentences[:2]) + '<br><br><a href="/p/library.html">'
        body += "The regional library service</a> lent us a van.<br><br>"
        body += "<br><br>".join(sentences[2:])
        write(
            f"blog/{slug}",
            _BLOG_PAGE.format(title=title, pretty="February 9, 2026", paragraphs=body),
        )
        ARTICLES[f"/blog/{slug}"] = Expect(
            title,
            (sentences[0], sentences[-1], "lent us a van"),
            ("Jonas said", "reading corners, we started one", "Post a Comment", "Blog Archive",
             "Teacher trainer working", "Share to Twitter", "Posted by"),
        )  # fmt: skip
    posts = "".join(
        f'<li><a href="/blog/{slug}">{t}</a></li>' for slug, (t, _) in _BLOG_POSTS.items()
    )
    write("blog/index.html", f"<html><body><ul>{posts}</ul></body></html>")

    teasers = []
    for slug, (title, sentences) in _NEWS_STORIES.items():
        date = next(dates)
        write(
            f"{slug}/index.html",
            _NEWS_PAGE.format(
                title=title, date=date, pretty="20 مايو 2026", paragraphs=_ps(sentences)
            ),
        )
        teasers.append(_NEWS_TEASER.format(slug=f"{slug}/", title=title, first=sentences[0]))
        ARTICLES[f"/{slug}/"] = Expect(
            title,
            (sentences[0], sentences[-1]),
            ("مبادرة رائعة", "تعليقات القراء", "أخبار ذات صلة", "افتتاح مكتبات", "الأكثر قراءة",
             "استمع إلى المقال", "أضف تعليقا", "نتائج الامتحانات"),
        )  # fmt: skip
    teasers += [_NEWS_TEASER.format(slug=f"{s}/", title=t, first=f) for s, t, f in _NEWS_FILLER]
    write("ar/news/index.html", _NEWS_LISTING.format(teasers="".join(teasers)))
    for slug, title, first in _NEWS_FILLER:  # the other stories: short, but articles
        write(
            f"{slug}/index.html",
            _NEWS_PAGE.format(
                title=title, date="2026-04-01", pretty="1 أبريل 2026",
                paragraphs=_ps([first, *_NEWS_STORIES["ar/news/2026/05/digital-schools"][1][1:]]),
            ),
        )  # fmt: skip
    return pages
