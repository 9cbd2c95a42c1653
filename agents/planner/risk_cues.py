"""Risky acts read from a request by meaning: a class of verb acting on a class of object.

Listing dangerous sentences does not carry to requests nobody wrote a rule for. Instead an act is
risky when a verb of one class has an object of the matching class in the same clause:

- **money**: charge, bill, refund, pay, wire, credit, top up … on an amount, a fee, a card,
  a payment, funds, a balance ("charge a $35 late fee to the card on file");
- **data**: send, post, push, export, share, upload … of people's personal details (a customer
  or contact list, signups' emails and addresses, two or more of name/email/phone/address) to a
  party outside the business (a partner, reseller, agency, a URL, a personal mailbox);
- **bulk**: mailing addresses the business did not collect (bought, scraped, found on websites).

The event that starts a workflow ("when a payment is refunded") is not an act; it is left out
before reading. A negated check ("without asking", "no need to check", "just do it
automatically") on any risky act is reported separately, so that it can be refused.
"""

from __future__ import annotations

import re

from agents.planner.text import has

# Clause breaks: an act and its object are read inside one clause.
_CLAUSE = re.compile(r"[.;!?\n]|\bthen\b|\balso\b|,\s*and\b")

# Imperative forms only: "refunds", "charges", "billing" are nouns far more often than acts.
MONEY_VERB = (
    # (never a mailbox: "billing@", "refunds@")
    r"(?<![#\w-])(?:auto-?)?(?:charge|bill|debit|refund|pay|pay\s+out|wire|reimburse|credit|"
    r"top\s+up|transfer|withdraw|deduct)\b(?!@)(?!\s+(?:close\s+|more\s+|special\s+)?(?:attention|heed|"
    r"tribute|respects?|a\s+visit|off\b))"
    # a noun's first word: "credit card payments", "a wire transfer reminder", "debit card"
    r"(?!\s+(?:cards?|notes?|scores?|limits?|checks?|reports?|runs?|slips?|stubs?|days?|"
    r"periods?|dates?|rises?|raises?|grades?|rates?|scales?|walls?|links?|pages?|buttons?|"
    r"portals?|schedules?|cycles?)\b)"
    r"(?!\s+transfers?\s+(?:reminders?|details|info|instructions|confirmations?|receipts?|notices?|"
    r"references?)\b)"
    # "we pay every other friday", "staff get paid each month": when payday is, no payment
    r"(?!\s+(?:every|each|on)\s+(?:other\s+|second\s+)?(?:week|fortnight|month|mon|tue|wed|thu|fri|"
    r"sat|sun|day|\d+(?:st|nd|rd|th)\b)\w*)|"
    r"\b(?:start|stop|keep|begin|continue|by|for|from|before|retry|re-?try|try)\s+(?:charging|billing|debiting|"
    r"refunding|paying|wiring|reimbursing|crediting|transferring)\b(?!@)"
)
# The word before a verb that makes it a noun ("a charge", "failed charge", "stripe charge").
_NOUN_BEFORE = frozenset(
    re.findall(
        r"\w+",
        "a an the each every any failed successful new late stripe first last this that per no "
        "of one their his her its our my your monthly weekly pending disputed total into as about "
        "re like labelled labeled tagged marked wire bank direct",
    )
)
_MONEY_OBJECT = (
    r"[£$€]\s?\d|\b\d+(?:\.\d+)?\s?(?:usd|eur|gbp|dollars?|pounds?|euros?)\b|"
    r"\b(?:fees?|money|funds|cash|payments?|payouts?|refunds?|cards?(?:\s+on\s+file)?|balance|"
    r"deposits?|commissions?|salar(?:y|ies)|wages?|bonus(?:es)?|invoices?|bills?|amount\s+due|"
    r"credits?|the\s+difference)\b"
)
# A money verb that names no money is still money when its object is a payee or payer.
_PAYEE = (
    r"\b(?:them|him|her|customers?|clients?|buyers?|members?|subscribers?|contractors?|"
    r"freelancers?|suppliers?|vendors?|affiliates?|staff|employees?|everyone|each\s+\w+|"
    r"every\s+\w+|all\s+\w+)\b"
)
_SHIP_VERB = (
    r"\b(?:send|sends|sending|post|posts|posting|push|pushes|pushing|export\w*|share|shares|"
    r"sharing|upload\w*|forward\w*|copy|copies|copying|sync\w*|hand\s+over|give|gives|dump\w*|"
    r"email|e-mail|mail|transfer\w*|pass(?:es)?\s+on|feed|feeds|send\s+over)\b"
)
_PEOPLE = (
    r"(?:customers?|clients?|contacts?|sign-?ups?|leads?|users?|members?|subscribers?|patients?|"
    r"buyers?|shoppers?|guests?|students?|donors?|applicants?|attendees?|people)(?:'s?|s')?"
)
_DETAILS = (
    r"(?:lists?|data|details|info|information|records|e-?mails?|e-?mail\s+addresses|addresses|"
    r"phone\s+numbers|phones?|numbers|names|database|db|pii|profiles?|export|csv)"
)
_FIELDS = r"\b(?:names?|e-?mails?|e-?mail\s+addresses|phones?|phone\s+numbers|addresses|birthdays?|"
_FIELDS += r"dates?\s+of\s+birth|order\s+history|ssns?|passport\s+numbers?)\b"
_OUTSIDE_PARTY = (
    r"\b(?:partners?|partner's|resellers?|reseller's|third[- ]part(?:y|ies)|affiliates?|"
    r"agenc(?:y|ies)|agency's|vendors?|brokers?|another\s+company|other\s+compan(?:y|ies)|"
    r"external|outside|someone\s+else|buddy|friend|cousin|3pls?|fulfil{1,2}ment\s+(?:partner|company|"
    r"centre|center|house)|couriers?|print(?:er|ing)\s+(?:partner|company|shop)|"
    r"call\s*cent(?:re|er)'?s?|investors?|lookalike|(?:facebook|meta|google|tiktok|linkedin)\s+ads|"
    r"ads?\s+(?:team|platform|agency|manager)|sponsors?|advertisers?|debt\s+collectors?|"
    r"collections?\s+agenc(?:y|ies)|marketing\s+(?:platform|company|firm|partner|agency))\b(?!@)|"
    r"https?://(?!(?:www\.)?(?:our|my)\b)\S+|"
    r"\b(?:personal|private|home)\s+(?:e-?mail|gmail|inbox|address|account|dropbox|drive)\b|"
    r"\bmy\s+(?:own\s+)?(?:gmail|hotmail|yahoo|icloud|proton\s*mail)\b|"
    r"@(?:gmail|googlemail|yahoo|hotmail|outlook|live|icloud|aol|proton|protonmail|gmx)\.\w+"
)
# Addresses the business did not collect: bought or scraped, or found on the web.
_BOUGHT_LIST = (
    # "i got a bermuda business email list": a list someone handed over, not our own
    r"\b(?:got|obtained|acquired|downloaded|was\s+given|were\s+given)\s+(?:a|an|some|this|these)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:e-?mail|contact|lead|leads|business|prospect)\s+(?:lists?|database|"
    r"spreadsheet|csv)\b|"
    # "rent" the verb takes an article ("rent a list"); "our rent app" is the noun
    r"(?:\b(?:buy|bought|purchas\w*|rented|renting|scrap\w*|harvest\w*|crawl\w*)|\brent(?=\s+(?:a|an|"
    r"some)\s))\s+"
    # "customers who bought nothing last month and email …": what they bought, then a new clause
    r"(?:(?!(?:and|then|nothing|anything)\b)[\w,.-]+\s+){0,4}?(?:e-?mails?|e-?mail\s+addresses|addresses|contacts|leads|lists?|data\s*base)\b|"
    r"\blist\s+of\s+\d[\d,.k]*\s+(?:[\w-]+\s+){0,2}?(?:e-?mails|addresses|contacts|leads|people)\b|"
    # "get us 2000 decision makers from one of those b2b lead databases": bought, by another name
    r"\b(?:from|off|out\s+of|via|using)\s+(?:one\s+of\s+(?:those|the)\s+|an?\s+|some\s+|a\s+paid\s+)?"
    r"(?:b2b\s+)?(?:lead|leads|contact|contacts|prospect|prospecting|data)\s+(?:databases?|providers?|"
    r"vendors?|brokers?)\b|"
    # people who never asked to hear from us: "blast our whole cold email list"
    r"\bcold\s+(?:e-?mail\s+)?(?:lists?|leads|prospects|contacts|audiences?|data\s*bases?)\b"
)
_FOUND_ON_WEB = (
    r"\b(?:grab|collect|gather|pull|extract|find|look\s+up|dig\s+up|get|scrape)\w*\s+"
    r"(?:[\w+&-]+\s+){0,4}?(?:e-?mails?|e-?mail\s+addresses|addresses|contact\s+(?:e-?mails?|"
    r"details|info))\b[^.;]{0,40}?\b(?:on|from|off|of|in)\s+(?:[\w'/-]+\s+){0,5}?(?:web|internet|"
    r"websites?|sites|web\s*pages?|pages|subreddits?|reddit|r/\w+|linkedin|twitter|forums?|google|"
    r"instagram|facebook|directory|directories|comments|groups|profiles|online|maps|yelp|"
    r"yellow\s*pages)\b|"
    # addresses looked up with an email finder: "grab the decision makers emails w hunter.io"
    r"\b(?:grab|collect|gather|pull|extract|find|look\s+up|dig\s+up|get|enrich)\w*\s+"
    r"(?:[\w'+&-]+\s+){0,4}?(?:e-?mails?|e-?mail\s+addresses|addresses|contact\s+details)\b"
    r"[^.;]{0,25}?\b(?:w/?|with|using|via|through|from|in|on)\s+(?:hunter|apollo|snov|lusha|"
    r"rocketreach|zoominfo|seamless|phantombuster|clay)\b|"
    # "pull every email address out of my gmail history … into a cold campaign"
    r"\b(?:pull|grab|extract|collect|scrape|harvest|export)\w*\s+(?:every|all|each)\s+(?:the\s+)?"
    r"(?:e-?mail\s+)?address(?:es)?\b[^.;]{0,20}?\b(?:out\s+of|from|in)\s+(?:my|our)\s+(?:[\w-]+\s+)?"
    r"(?:gmail|inbox|mailbox|e-?mail|outlook)(?:\s+history)?\b[^.]{0,80}\bcold\b"
)
_MAIL_VERB = (
    r"\b(?:e-?mail\w*|mail\w*|send\w*|blast\w*|spam\w*|message\w*|newsletter|outreach|promo|"
    r"offer|campaign)\b"
)
_NO_CHECK = (
    r"\b(?:without|no)\s+(?:\w+\s+)?(?:checking|asking|confirming|confirmation|approval|review|"
    r"reviewing|looking|human|me\s+(?:checking|seeing|looking))\b|"
    r"\bno\s+need\s+to\s+(?:check|ask|confirm|review)\b|"
    # "no need to run them past me first", "dont make me check each one", "i dont want to click
    # approve on every single one"
    r"\bno\s+need\s+to\s+run\s+(?:it|them|this|these|that|those|anything|each\s+one|every\s+one)\s+"
    r"(?:by|past)\s+(?:me|us|anyone|anybody|finance|accounts|my\s+\w+)\b|"
    r"\b(?:don'?t|do\s+not)\s+make\s+(?:me|us|anyone)\s+(?:to\s+)?(?:check|approve|review|confirm|"
    r"look\s+at|click)\b|"
    r"\b(?:don'?t|do\s+not)\s+want\s+(?:\w+\s+){0,3}?to\s+(?:have\s+to\s+)?(?:click|press|hit|tap)\s+"
    r"(?:on\s+)?(?:approve|ok|yes|confirm)\b|"
    r"\bdon'?t\s+(?:run\s+it\s+by|check\s+with|ask|bother|wait\s+for)\s+(?:me|us|anyone)\b|"
    r"\bno\s+questions\s+asked\b|\bstraight\s+away\s+without\b|"
    r"\bdon'?t\s+run\s+(?:it|them|this|these|that|those)\s+(?:by|past)\s+(?:me|us|anyone)\b|"
    r"\bno\s+(?:\w+\s+)?(?:vetting|sign-?off|human\s+(?:review|check|in\s+the\s+loop))\b|"
    r"\b(?:don'?t|do\s+not)\s+want\s+(?:\w+\s+){0,3}?to\s+(?:have\s+to\s+)?(?:approve|check|review|"
    r"sign\s+off|look\s+at)\b|\bjust\s+do\s+it\b|"
    r"\bno(?:body|\s+one)\s+(?:needs?|has|have|should\s+have)\s+to\s+(?:look|check|approve|review|"
    r"confirm|click)\b|\bgo\s+through\s+on\s+(?:their|its)\s+own\b|"
    # "turn off that confirm step, i dont want popups"
    r"\b(?:turn\s+off|switch\s+off|skip|remove|disable|get\s+rid\s+of|bypass|drop)\s+(?:the\s+|that\s+|"
    r"this\s+|any\s+|all\s+)?(?:confirm\w*|approv\w*|review|sign-?off)(?:\s+(?:step|stage|screen|"
    r"popups?|pop-ups?|dialog|prompt|button|part|bit|queue))?s?\b|"
    r"\b(?:don'?t|do\s+not|dont)\s+want\s+(?:any\s+|those\s+|the\s+)?(?:popups?|pop-ups?|"
    r"confirmations?|prompts?|approvals?)\b|"
    # "no need for a manager to approve anything", "no need for anyone to sign off"
    r"\bno\s+need\s+for\s+(?:anyone|anybody|someone|me|us|(?:a|an|the|my|our)\s+[\w-]+)\s+to\s+"
    r"(?:approve|check|confirm|review|sign\s+off|ok|okay|look\s+at)\b|"
    # "dont bother warning them or checking with me", "don't bother asking anyone first"
    r"\b(?:don'?t|dont|do\s+not|never)\s+bother\s+(?:[\w']+\s+){0,4}?(?:checking|asking|confirming|"
    r"clearing\s+it)\s+(?:with\s+)?(?:me|us|anyone|anybody|(?:a|an|the|my|our)\s+[\w-]+)\b"
)
# Moving money whatever follows: paying out, placing purchase orders.
_SPEND = (
    r"\bpay\s+(?:it\s+|them\s+|this\s+|that\s+)?out\b|"
    r"\b(?:send|place|issue|submit|raise)\s+(?:the\s+|a\s+|our\s+)?(?:purchase\s+orders?|pos)\b|"
    r"(?<!\bwho\s)(?<!\bthat\s)(?<!\bthey\s)(?<!\bpeople\s)(?<!\bcustomers\s)"
    r"\b(?:buy|purchase)\s+(?:[\w-]+\s+){0,2}?(?:[£$€]\s?\d|\d[\d,.]*\s?(?:usd|eur|gbp|dollars?|"
    r"pounds?|euros?)\b)"
)
# Messages to everyone in a list, not to the ones a condition picks out.
_BULK_AUDIENCE = (
    r"\b(?:all|every)\s+(?:single\s+)?(?:of\s+)?(?:our\s+|the\s+|my\s+|their\s+)?"
    r"(?:(?:~\s*|about\s+|around\s+|approx\w*\s+|over\s+|nearly\s+|almost\s+)?\d[\d,.]*k?\s+)?"
    r"(?:(?!new\b|recent\w*\b|incoming\b|upcoming\b|future\b|first\b|other\b)[a-z][\w-]*\s+)?"
    r"(?:(?:registered|active|paying|existing|current|past|former|free|trial|newsletter)\s+)?(?:users?|"
    r"customers?|contacts?|subscribers?|members?|clients?|leads?|buyers?|patients?|students?|"
    r"parents?|donors?|guests?)\b(?!'|\s+(?:who|that(?!\s+(?:the|our|we|it|there|this|they|you)\b)|"
    r"whose|with|where|which|whom|if|when|on\s+\w+\s+(?:who|that)|"
    # "sms every patient the day before their appointment": each on their own date, not a blast
    r"(?:[\w-]+\s+){0,3}?(?:before|after|on|ahead\s+of)\s+(?:their|his|her|its)\s))|"
    # "email that whole group", "the entire segment"
    r"\b(?:that|the|this|our)\s+(?:whole|entire)\s+(?:group|list|segment|audience|mailing\s+list)\b|"
    r"\beveryone\s+(?:already\s+|currently\s+|else\s+)?"
    r"(?:in|on)\s+(?:the\s+|our\s+|my\s+)?(?:[\w-]+\s+)?(?:contacts?|customer|"
    r"mailing|e-?mail|crm|database|list|address\s+book)\b|"
    r"\bbulk[\s-]+(?:sms|texts?|e-?mails?|messages?|mail\w*|whatsapps?)\b|\bmass[\s-]+(?:e-?mail|text|sms|"
    r"message)\w*|"
    # everyone who ever bought, ordered or signed up: the whole customer list
    r"\b(?:everyone|everybody|all\s+(?:the\s+)?(?:people|customers|clients|users))\s+who\s+"
    r"(?:has\s+|have\s+)?ever\s+\w+|"
    # "every single person who has an account", "everyone with an account"
    r"\b(?:every\s+(?:single\s+)?(?:person|one|user|customer|member)|everyone|everybody)\s+(?:who\s+has|"
    r"with|that\s+has)\s+(?:an?\s+)?(?:account|login|profile|membership)\b"
)
_BULK_VERB = (
    r"\b(?:send|sends|email|e-mail|text|sms|message|blast|mail|push|notify|whatsapp|enrol|enroll|"
    r"add)\b"
)


_THEIR_RECORD = (
    r"\ball\s+(?:of\s+)?(?:its|their|his|her)\s+(?:fields|details|data|info|information|records?|"
    r"files|profile|history)\b|\b(?:its|their|his|her)\s+(?:whole|full|entire)\s+(?:record|profile|"
    r"file|history)\b"
)


def clauses(text: str) -> list[str]:
    """The request cut where one act ends and the next begins."""
    return [c for c in _CLAUSE.split(text) if c.strip()]


def moves_money(text: str) -> bool:
    """Whether a clause moves money: a money verb with money, or a payer/payee, after it."""
    for clause in clauses(text):
        for verb in re.finditer(MONEY_VERB, clause):
            rest = clause[verb.end() : verb.end() + 70]
            if _passive(clause, verb.start()) or _after_noun_word(clause, verb.start()):
                continue
            if _asked_of_others(clause, verb.start()):
                continue
            if has(rest, _MONEY_OBJECT) or (has(rest, _PAYEE) and "credit" not in verb.group(0)):
                return True
    return False


# An offer sent to a whole segment ("everyone who has one of our products in their cart a 20%
# off code"): marketing to everyone a filter finds, not a message to one person about their own
# record.
_SEGMENT = (
    r"\b(?:everyone|everybody|anyone|all\s+(?:the\s+)?(?:people|customers|clients|users|"
    r"shoppers|buyers|members|contacts))\s+(?:who|that|with|whose)\b"
)
_OFFER = (
    r"\b\d+\s?%\s?off\b|\b(?:discount|coupon|promo|voucher)(?:\s+codes?)?\b|\bsale\b|"
    r"\bspecial\s+offer\b|\bfree\s+shipping\s+codes?\b"
)


def sends_in_bulk(text: str) -> bool:
    """Whether a clause messages everyone in a list ("email all our users", "bulk sms"), or
    sends an offer to everyone a filter finds."""
    for clause in clauses(text):
        audience = re.search(_BULK_AUDIENCE, clause)
        if audience and (has(clause, _BULK_VERB) or audience.group(0).startswith(("bulk", "mass"))):
            return True
        if has(clause, _SEGMENT) and has(clause, _OFFER) and has(clause, _BULK_VERB):
            return True
    return False


def spends(text: str) -> bool:
    """Whether the request pays out, buys for an amount or places purchase orders."""
    return has(text, _SPEND)


def ships_personal_data(text: str) -> bool:
    """Whether a clause sends people's personal details to a party outside the business."""
    for clause in clauses(text):
        verb = re.search(_SHIP_VERB, clause)
        if not verb or not has(clause[verb.start() :], _OUTSIDE_PARTY):
            continue
        body = clause[verb.start() :]
        people = re.search(rf"\b{_PEOPLE}\b[^.]{{0,25}}\b{_DETAILS}\b", body)
        if people or len(set(re.findall(_FIELDS, body))) >= 2:
            return True
        # "when a lead goes cold, send all its fields over to the partner": the record's own
        # details, the person named earlier in the request
        if has(body, _THEIR_RECORD) and has(text, rf"\b{_PEOPLE}\b"):
            return True
    return False


def mails_unowned_addresses(text: str) -> bool:
    """Whether the request mails addresses the business did not collect (bought, scraped)."""
    return has(text, _MAIL_VERB) and (has(text, _BOUGHT_LIST) or has(text, _FOUND_ON_WEB))


def skips_checks(text: str) -> bool:
    """Whether the request says no person checks before it acts ("without asking me")."""
    return has(text, _NO_CHECK)


def _after_noun_word(clause: str, start: int) -> bool:
    """ "a charge", "failed charge", "into refund / invoice / other": the word names a thing."""
    words = clause[:start].split()
    if words and (words[-1] in _NOUN_BEFORE or words[-1].endswith("ed") or words[-1] == "/"):
        return True
    return has(clause[start:], r"^\S+\s*[/|]")


def _asked_of_others(clause: str, start: int) -> bool:
    """ "a link to pay the invoice", "remind them to pay", "ask the client to top up": someone
    else is asked to pay; nobody moves money for them."""
    before = clause[max(0, start - 40) : start]
    return has(
        before,
        r"\b(?:link|button|page|url|portal|checkout|them|him|her|customers?|clients?|members?|"
        r"people|users?|ask|asks|asking|remind\w*|invit\w*|prompt\w*|tell\w*|how|where|able)\s+"
        r"(?:\w+\s+)?to\s+$",
    )


def _passive(clause: str, start: int) -> bool:
    """ "is refunded", "was charged", "gets paid", "a payment … fails": a state, not an act."""
    before = clause[max(0, start - 14) : start]
    return has(before, r"\b(?:is|was|were|are|been|be|gets?|got|been)\s+$")
