"""Measure the statement parser on a corpus: the share of items read exactly, and how long
a long statement takes (see docs/importing.md, "Accuracy on real layouts")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from outcomes.importing import accuracy

GENERATED_PARAGRAPHS = 200


class Command(BaseCommand):
    help = (
        "Parse each statement of a corpus, print its items exact (number, parent, first "
        "words) out of its expected items and the overall share; then time the parse of a "
        "generated 200-paragraph statement."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--corpus",
            type=Path,
            default=accuracy.DEFAULT_CORPUS,
            help="Folder of <name>.txt and <name>.expected.json. Default: the tests' corpus.",
        )

    def handle(self, *args, corpus: Path, **options):
        if not corpus.is_dir():
            raise CommandError(f"{corpus} is not a folder.")
        scores = accuracy.score_corpus(corpus)
        if not scores:
            raise CommandError(f"{corpus} holds no <name>.expected.json.")
        width = max(len(score.name) for score in scores)
        for score in scores:
            refused = f"  (refused: {score.error})" if score.error else ""
            self.stdout.write(f"{score.name:<{width}}  {score.exact}/{score.total}{refused}")
        exact = sum(score.exact for score in scores)
        total = sum(score.total for score in scores)
        self.stdout.write(
            f"Overall: {exact}/{total} items exact ({accuracy.share(scores):.1%}) "
            f"in {len(scores)} documents"
        )
        text = accuracy.generated_statement(GENERATED_PARAGRAPHS)
        seconds, draft = accuracy.time_to_parse(text)
        self.stdout.write(
            f"A generated {GENERATED_PARAGRAPHS}-paragraph statement "
            f"({len(draft.outcomes)} items) parsed in {seconds:.3f} s"
        )
