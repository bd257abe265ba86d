"""Attribution of one article: the events of cues, quote marks and colons, filtered and made citable."""

from __future__ import annotations

from dataclasses import dataclass

from searchkit.models import Quote, Speaker
from searchkit.speakers.article import Article, Event
from searchkit.speakers.cues import cue_events
from searchkit.speakers.names import display_form
from searchkit.speakers.orgs import OrgNames, dateline_names, named_in_body, ticker_names
from searchkit.speakers.patterns import SPEAKER_DASHES
from searchkit.speakers.quotes import cited, colon_events, quote_events, title_speakers


@dataclass(frozen=True, slots=True)
class Attribution:
    """Speakers (distinct, in order of first attribution) and their attributed statements."""

    speakers: tuple[Speaker, ...]
    quotes: tuple[Quote, ...]
    companies: tuple[str, ...] = ()  # names the article writes as a company ("Goldman Sachs ( GS.N )"): archive
    # evidence that the same name elsewhere, quoted without it, is no person (`store.Names.counts`)


def extract(body: str, title: str = "") -> Attribution:
    """Find who is quoted or reported as speaking in `body` (and a "Name: ..." headline), with statements."""
    art = Article(body)
    events = cue_events(art)
    if '"' in body or "”" in body or "''" in body:
        events += quote_events(art)
    if ":" in body or any(dash in body for dash in SPEAKER_DASHES):
        events += colon_events(art)
    events.sort(key=lambda ev: ev.pos)
    tickers = ticker_names(body) if "(" in body else set()
    not_people = tickers | dateline_names(body)
    companies = {n for n in tickers if " " in n and n[:1].isupper()}
    orgs = OrgNames(body)
    speakers: dict[str, Speaker] = {}
    for name in title_speakers(title, art) if ":" in title else ():
        if named_in_body(name, body):  # a headline label ("INSTANT VIEW: ...") is not a person
            speakers.setdefault(display_form(name), Speaker(display_form(name)))
    kept: list[Event] = []
    for ev in events:
        name = display_form(ev.speaker)
        if name in not_people or orgs.inside(ev.speaker):
            continue
        if orgs.company(ev.speaker):
            companies.add(name)
            continue
        if name not in speakers or (ev.role and speakers[name].role is None):
            speakers[name] = Speaker(name, ev.role)
        kept.append(ev)
    return Attribution(tuple(speakers.values()), tuple(cited(body, kept, events)), tuple(sorted(companies)))
