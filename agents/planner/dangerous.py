"""Deleting, moving money and mass mailing: never dropped from a draft, never made to look safer.

A request that asks to delete something, refund or pay someone, or mail people in bulk gets the
step that does it (so `workflows.policy` classes the draft C and an owner must confirm it), or a
refusal that says why: mailing addresses scraped from the web, sending customers' personal data
to a personal mailbox, and moving money "without checking" are not drafted at all.
"""

from __future__ import annotations

import re
from typing import Any

from agents.planner import risk_cues
from agents.planner.intents import TriggerReading, without_event_clause
from agents.planner.naming import ending_on_a_whole_word
from agents.planner.records import attributes_masked, contacts_to_delete, sheet_name, tab_of
from agents.planner.steps import StepList
from agents.planner.text import has, labels_masked
from agents.planner.tools import first_named_tool, records_place, stand_in_api
from integrations.base import Risk
from integrations.catalog import default_registry

_DELETE = (
    # "ignore edits/deletes", "skip deletions": what happens in a tool, named to be left out
    r"(?<!/)(?<!\bignore\s)(?<!\bignoring\s)(?<!\bskip\s)(?<!\bexcept\s)(?<!\bexcluding\s)"
    r"\b(?:delete|deletes|deleting|remove|removes|removing|wipe|wipes|purge|purges|erase|nuke|nukes|"
    r"trash|throw(?:s|ing)?\s+(?:away|out)|threw\s+(?:away|out)|clear\s+out|clean\s+out|(?:get|gets|getting)\s+rid\s+of|kick(?!\s+off)|kicks(?!\s+off)|ban|bans|"
    r"erases|erasing|destroy\w*|clear(?:s|ing)?\s+(?:the|all|every|our|that)|"
    r"drop(?:s|ping)?\s+(?:the\s+|all\s+|old\s+|every\s+)*(?:[\w-]+\s+)?(?:rows?|records?|contacts?|"
    r"entries|users?|leads?|data|tables?|databases?|collections?)|truncat\w*|void(?:s|ing)?\s+(?:the\s+|"
    r"all\s+|any\s+|every\s+|old\s+|unpaid\s+|open\s+)*(?:[\w-]+\s+)?invoices?)\b"
)
# "… should be deleted after 30 days", "were automatically removed": a delete asked for in
# the passive ("when a file is deleted" stays the event: it is read without the event clause).
_DELETE += (
    r"|\b(?:should|must|would|will|could|can|needs?\s+to|has\s+to|have\s+to|to)\s+(?:\w+\s+)?be\s+"
    r"(?:\w+\s+)?(?:deleted|removed|purged|erased|wiped|cleared|destroyed|trashed|anonymi[sz]ed)\b|"
    r"\b(?:were|are|is|get|gets|be)\s+(?:automatically|auto-?)\s*(?:deleted|removed|purged|erased|"
    r"wiped|cleared|destroyed|trashed|anonymi[sz]ed)\b|\banonymi[sz]e\b|"
    # "should just get deleted automatically", "everything they posted gets deleted"
    r"\b(?:should|must|will|to|then)\s+(?:just\s+|also\s+)?get\s+(?:deleted|removed|purged|erased|wiped|"
    r"trashed)\b|\bthen\b[^.;]{0,60}?\b(?:gets|get)\s+(?:deleted|purged|erased|wiped|trashed)\b|"
    # "anyone who hasnt been active for 90 days gets removed": people removed, not an event
    r"\b(?:anyone|everyone|anybody|everybody|those|people|customers|contacts|users|members|"
    r"accounts|leads)\b[^.;]{0,60}?\b(?:gets|get)\s+(?:removed|deleted|purged|erased|wiped)\b|"
    # "clean up inactive customers": the inactive ones go
    r"\bclean(?:s|ing)?\s+up\s+(?:(?:all|the|our|any|every)\s+)?(?:inactive|old|stale|dead|"
    r"dormant|unused|expired|lapsed)\s+(?:customers|contacts|leads|subscribers|clients)\b|"
    # "anyone still inactive after the notice gets erased": erasing is never an event's word
    r"\b(?:gets|get)\s+(?:erased|purged|wiped|anonymi[sz]ed)\b"
)
# "I want their card details removed": what the person wants done to a record.
_DELETE += (
    r"|\b(?:want|need|have|get)\s+(?:their|the|his|her|its|all|every|our)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:deleted|removed|purged|erased|wiped)\b"
)
_SHEET_ROWS = (
    r"\b(?:rows?|lines?|entries|duplicates?)\b[^.]{0,60}\b(?:sheet|spreadsheet|tab|excel)\b|"
    + (
        r"\b(?:sheet|spreadsheet|tab)\b[^.]{0,40}\brows?\b|\btab\b[^.]{0,40}\b(?:sheet|spreadsheet)\b"
    )
)
# People named without a CRM word ("remove them from hubspot", "delete everyone who …").
_PEOPLE = (
    r"\b(?:them|everyone|everybody|anyone|people|users?|sign-?ups?|subscribers?|customers?|clients?)\b[^.]{0,40}"
    r"\b(?:crm|hubspot|pipedrive|salesforce|zoho|contacts|list|who|that|whose)\b|"
    r"\b(?:delete|remove|erase)\w*\s+(?:everyone|everybody|anyone|them)\b"
)
_CRM_THINGS = (
    r"\b(?:contacts?|customers?|leads?|deals?|records?|subscribers?)\b[^.]{0,60}"
    r"\b(?:crm|hubspot|pipedrive|salesforce|zoho|list)\b|\b(?:crm|hubspot|pipedrive|salesforce|"
    r"zoho)\b[^.]{0,40}\b(?:contacts?|leads?|deals?|records?)\b|\b(?:contacts?|leads?)\b"
)
_EXTERNAL_THINGS = (
    r"\b(?:messages?|posts?|comments?|users?|members?|files?|backups?|folders?|cards?|tasks?|"
    r"duplicates?|entries|records?|customers?|subscriptions?|pages?|documents?|docs|contacts?|"
    r"subscribers?|"
    r"issues?|tickets?|events?|videos?|photos?|images?|accounts?|emails?|orders?|products?)\b"
)
# People deleted from our own contacts ("delete leads inactive for a year"), not from a tool.
_CRM_ONLY = (
    r"^\S+\s+(?:\w+\s+){0,3}?(?:contacts?|leads?)\b(?![^.]{0,30}\b(?:in|from)\s+(?!our\s+crm))"
)
_REFUND = (
    r"\b(?:auto-?)?refund(?:s|ing)?\s+(?:them|him|her|it|the|their|each|every|all|any|anyone|"
    r"anybody|everyone|everybody|people|whoever|that|this|"
    r"customers?|clients?|buyers?|orders?|payments?|money|the\s+\w+|\w+'s)\b|"
    r"\b(?:issue|give|process|send|make|do|trigger|grant|approve)\w*\s+(?:them\s+|him\s+|her\s+)?"
    r"(?:a|the|their|his|her)\s+(?:full\s+|partial\s+)?refund\b|\bauto[- ]?refund\w*\b|"
    # "handle refunds for me", "push the refund to stripe too": the refunds are ours to do
    r"\b(?:handle|handles|handling|automate|manage|do)\s+(?:the\s+|our\s+|all\s+|customer\s+)?"
    r"refunds?\b|\bpush\w*\s+(?:the\s+|that\s+|each\s+)?refunds?\s+(?:to|into|through|over)\b"
)
_REFUND_EVENT = (
    r"\b(?:when|whenever|if|once|after)\b[^.,]{0,40}\brefund(?:ed|s)?\b"
    r"(?!\s+(?:the|them|their|it|him|her|each|every|all|that|this)\b)"
)
_PAY = (
    r"(?<!\bto\s)\b(?:pay|paying|pay\s+out|wire|reimburse)\s+(?:our|the|all|each|every|them|"
    r"him|her|their|outstanding|due|approved|\w+'s)\b"
    # "we pay every other friday": when payday is, not a payment to make
    r"(?!\s+(?:other\s+)?(?:week|fortnight|month|mon|tue|wed|thu|fri|sat|sun|"
    r"day|\d+(?:st|nd|rd|th))\w*)|"
    # "any contractor invoice under $1000 just pay it automatically"
    r"(?<!\bto\s)\b(?:pay|paying|wire|reimburse)\s+(?:it|those|these|that)\s+(?:automatically|auto\w*|"
    r"straight\s+away|right\s+away|immediately|instantly|the\s+moment|as\s+soon\s+as|in\s+full|"
    r"out|off)\b|"
    # "pay it from the business account", "pay them out of our company card"
    r"(?<!\bto\s)\b(?:pay|paying|wire|reimburse)\s+(?:it|those|these|that|them)\s+(?:from|out\s+of|"
    r"with|using)\s+(?:the|our|my)\s+(?:[\w-]+\s+){0,2}?(?:account|card|bank|balance|funds)\b|"
    r"\b(?:transfer|transfers|send|move|moves)\s+(?:\w+\s+){0,5}(?:money|funds|cash|payments?|"
    r"payouts?|balance|budgets?|to\s+savings)\b"
    # "send a polite payment reminder", "send the payment link": a message about paying
    r"(?!\s+(?:reminders?|requests?|links?|notices?|confirmations?|receipts?|e-?mails?|"
    r"notifications?|details|status|summar\w*|reports?|alerts?|instructions|plans?|terms|"
    r"updates?|messages?))|"
    # "move whatever is in the viva wallet over to our bank account"
    r"\b(?:move|moves|transfer|transfers|sweep|sweeps|send|sends)\s+[^.]{0,40}?\b(?:over\s+)?(?:to|into)\s+"
    r"(?:our|the|my)\s+(?:[\w-]+\s+)?(?:bank(?:\s+account)?|savings(?:\s+account)?|current\s+account|"
    r"pot|reserve|wallet|float|kitty)\b|"
    # "move 500 quid straight into savings", "move everything above $9k into the money market"
    r"\b(?:move|moves|transfer|transfers|sweep|sweeps|send|sends|put|puts)\s+[^.]{0,40}?\b(?:to|into)\s+"
    r"(?:our\s+|the\s+|my\s+|a\s+)?(?:savings|money\s+market|isa|brokerage|investment|deposit|checking|"
    r"reserve|tax)(?:\s+(?:account|pot|fund))?\b|\b(?:make|send|trigger|issue)\s+(?:the\s+)?payouts?\b|"
    r"\b(?:transfer|transfers|send|move|moves)\s+[$£€]\s?\d[\d,.]*k?\b|"
    # store credit, free months, marking invoices paid: what someone owes or is owed changes
    r"\b(?:issue|give|gives|add|apply|grant)\s+(?:[\w£$€.,]+\s+){0,6}?[£$€]\s?\d[\d.,]*\s+credit\b|"
    r"\b(?:issue|give|gives|add|apply|grant|hand\s+out|hands\s+out)\s+(?:\w+\s+){0,5}?(?:store\s+credit|"
    r"account\s+credit|(?:a\s+)?free\s+(?:month|months|year|years|upgrades?)|gift\s+cards?)\b|"
    r"\bwrit(?:e|es|ing)\s+off\b|\bautomatic(?:ally)?\s+(?:payouts?|payments?|transfers?)\s+to\b|"
    # "refunds to go through on their own", "a late fee of 5% added to the invoice"
    r"(?<!\ba\s)(?<!\bthe\s)(?<!\bany\s)\brefunds?\s+(?:to\s+)?(?:go|goes|going)\s+through\b|\brefunds?\s+(?:should|to|would|will|can)\s+"
    r"(?:be\s+)?(?:issued|processed|approved|sent|paid|made)\b|\b(?:issue|process)\s+refunds?\b|"
    r"\b(?:fee|fine|penalty|surcharge)\b[^.]{0,20}\b(?:added|charged|applied)\b|"
    r"\bmark\s+(?:all\s+|every\s+|the\s+|any\s+|open\s+|unpaid\s+)*(?:[\w-]+\s+)?invoices?\s+as\s+"
    r"paid\b|"
    r"\b(?:create|make|initiate|schedule|process)\s+(?:the\s+|a\s+)?payments?\s+(?:for|to|of)\b|"
    r"\b(?:charge|charges|charging|credit|credits|crediting|bill|debit)\s+(?:the\s+|their\s+|"
    r"them\b|each\b|every\b|all\b|anyone\b|customers?\b|clients?\b|cards?\b|members?\b|"
    # "if the customer has a card saved in stripe charge it"
    r"it\b(?!\s+(?:up|to\s+(?:my|our)\s+(?:phone|laptop|device)))|"
    r"(?:the\s+)?(?:saved\s+|stored\s+)?(?:card|cards)\s+on\s+file\b)|"
    # "charge a $35 late fee", "charge a no-show fee to their card"
    r"\b(?:charge|charges|charging|bill|add)\s+(?:an?\s+)?(?:[$£€]?\d+(?:\.\d{1,2})?\s?%?\s+)?"
    r"(?:[\w-]+\s+)?(?:fee|fine|penalty|surcharge)\b"
)
_PAY_ONLY = r"\b(?:pay|paying|wire|reimburse|transfer)\b"
_CHARGE = r"\b(?:charge|charges|charging|bill|debit)\s"
_CREDIT = r"\b(?:credit|credits|crediting)\s"
_MONEY_APIS = (
    (r"\bwise\b|\btransferwise\b", "https://api.wise.com/v1/transfers"),
    (r"\bpaypal\b", "https://api-m.paypal.com/v1/payments/payouts"),
    (r"\bgocardless\b", "https://api.gocardless.com/payments"),
    (r"\brevolut\b", "https://b2b.revolut.com/api/1.0/pay"),
    (r"\bsquare\b", "https://connect.squareup.com/v2/payments"),
    (r"\bstripe\b", "https://api.stripe.com/v1/transfers"),
)
_WITHOUT_CHECKING = (
    r"\b(?:without|no)\s+(?:checking|asking|confirming|approval|review)\b|"
    r"\bdon'?t\s+(?:run\s+it\s+by|check\s+with|ask|bother)\s+me\b|\bno\s+questions\s+asked\b"
)
# "harvest" the verb, not Harvest the time tracker ("last week's hours from harvest")
_SCRAPE = (
    r"\bscrap\w*\b|(?<!\bfrom\s)(?<!\bin\s)(?<!\binto\s)(?<!\bto\s)(?<!\bwith\s)(?<!\bon\s)"
    r"\bharvest\w*\b(?!\s+(?:app|account|project|time|timesheets?)\b)|\bcrawl\w*\b|"
    r"\bpull\s+(?:every|all)\b[^.]{0,40}\boff\b"
)
_MAILING = r"\b(?:e-?mails?|mail|blast|spam|cold\s+e-?mail|newsletter|promo|outreach|message)\b"
_PERSONAL_DATA = (
    r"\b(?:customer|client|contact|member|patient|user|lead)s?\b[^.]{0,30}\b(?:export\w*|list|data|"
    r"details|records|addresses|phones?|database|csv|spreadsheet|file)\b|\b(?:full|whole|entire|all)\b[^.]{0,20}"
    r"\b(?:customer|client|contact)s?\b|\bexport\b[^.]{0,40}\b(?:customers?|clients?|contacts?)\b|"
    # "a weekly csv of all our users with order count", "a dump of every member"
    r"\b(?:csv|export|list|spreadsheet|file|dump|extract)\s+of\s+(?:all\s+|every\s+)?(?:of\s+)?"
    r"(?:our\s+|the\s+|my\s+)?(?:[\w-]+\s+)?(?:customers?|clients?|contacts?|users?|members?|"
    r"patients?|subscribers?|guests?|students?|donors?)\b"
)
# People who did not agree to hear from us: "including the ones who didnt give marketing consent"
_NO_CONSENT = (
    r"\b(?:did\s*n'?t|did\s+not|never|have\s*n'?t|have\s+not|has\s*n'?t|has\s+not|do\s*n'?t|"
    r"do\s+not|does\s*n'?t)\s+(?:give|gave|given|opt\w*|consent\w*|agree\w*|tick\w*|sign\w*\s+up|"
    r"subscrib\w*)\b|\b(?:without|no|regardless\s+of|ignor\w*|skip\w*)\s+(?:their\s+|any\s+|the\s+)?"
    r"(?:marketing\s+|double\s+|confirmed\s+)?(?:consent|permission|opt-?ins?)\b|"
    r"\b(?:unsubscribed|opted[- ]out)\s+(?:ones|people|users|contacts|customers|too|as\s+well)\b|"
    # "ignore the ok-to-email flag", "ignore their unsubscribe status"
    r"\b(?:ignor\w*|disregard\w*|bypass\w*|skip\w*\s+(?:the\s+)?check\w*\s+(?:of|on)|override\w*)\s+"
    r"(?:the\s+|their\s+|any\s+|all\s+|our\s+)?[\w-]*(?:consent|opt|ok-to|okay-to|permission|"
    r"unsubscrib|marketing|gdpr|do-not|dnc|subscription)[\w-]*(?:\s+(?:flags?|fields?|status(?:es)?|"
    r"settings?|box(?:es)?|preferences?|columns?|checkbox(?:es)?|lists?))?\b|"
    # "all of them, not just the ones who ticked the partner box"
    r"\bnot\s+(?:just|only)\s+(?:the\s+)?(?:ones|people|customers|users|contacts|those)\s+(?:who|that)\s+"
    r"(?:ticked|opted|agreed|consented|gave|said\s+yes)\b"
)
# "skip people who didnt opt in", "except those who never agreed": the consent is a filter kept
_LEFT_OUT = (
    r"\b(?:skip\w*|exclud\w*|except|leave\s+out|leaving\s+out|leaves\s+out|filter\w*\s+out|omit\w*|"
    r"drop\w*|remov\w*|ignor\w*\s+(?:any|anyone|everyone|people|those|the\s+ones)|not\s+to|never\s+"
    r"(?:e-?mail|send\s+to|message|text|contact)|but\s+not)\b[^.;,]{0,40}$"
)


def asks_unconsented(text: str) -> bool:
    """Whether the request reaches people who did not agree to it (not merely leaves them out)."""
    return any(
        not has(text[max(0, m.start() - 60) : m.start()], _LEFT_OUT)
        and not has(text[m.end() : m.end() + 40], _LEFT_OUT_AFTER)
        for m in re.finditer(_NO_CONSENT, text)
    )


# "anyone who didn't tick it gets skipped": the consent kept, said after the people
_LEFT_OUT_AFTER = (
    r"^[^.;]{0,25}?\b(?:gets?|are|is|will\s+be|should\s+be|get)\s+(?:skipped|left\s+out|excluded|"
    r"ignored|dropped|removed|filtered\s+out)\b"
)


_PERSONAL_BOX = (
    # "a personal email to every contact" is a message written to each, not a mailbox
    r"(?<!\ba\s)(?<!\ban\s)\b(?:personal|private|home)\s+(?:e-?mail(?!s)|gmail|inbox|address|account|"
    r"dropbox|drive)\b(?!\s+(?:to|for)\s+(?:each|every|all|the|our|my|them)\b)|"
    r"@(?:gmail|googlemail|yahoo|hotmail|outlook|live|icloud|me|aol|proton|protonmail|gmx)\.\w+"
)


# "bought a list of 5000 dentist emails", "buy leads from": the list is what was bought
# ("check they still haven't bought, then email them" is not).
_BOUGHT = (
    r"(?:\b(?:buy|buys|bought|purchas\w*|rented|renting)\s+(?:a\s+|an\s+|the\s+|some\s+|our\s+)?|"
    r"\brent\s+(?:a|an|some)\s+)"
    r"(?:[\w-]+\s+){0,3}?(?:lists?|e-?mails|e-?mail\s+(?:lists?|addresses)|addresses|leads|"
    r"contacts|data\s*base)\b"
)
_GATHERED = (
    # "guess the email addresses of the speakers (firstname@company.com)": addresses nobody gave
    r"\bguess\w*\s+(?:[\w'-]+\s+){0,3}?(?:e-?mails?|e-?mail\s+addresses|addresses)\b|"
    r"\b(?:e-?mails?|e-?mail\s+addresses|addresses)\b[^.]{0,60}\bby\s+guess\w*|"
    r"\b(?:grab|collect|gather|pull|extract|harvest)\w*\b[^.]{0,30}"
    r"\b(?:e-?mails?|e-?mail\s+addresses|addresses|contact\s+details)\s+(?:of|from|on|in|off)\b"
    r"[^.]{0,40}\b(?:web|websites?|sites?|pages?|subreddits?|reddit|r/\w+|linkedin|twitter|"
    r"forums?|google|posts?|instagram|facebook|directory|directories|comments?|groups?)\b"
)
# People who never signed up for mail: "my linkedin connections (i exported them)".
_COLD_LIST = (
    r"\b(?:linkedin|facebook|twitter|instagram|x)\s+(?:connections?|contacts|followers|friends|"
    r"network)\b|\bexported\s+(?:from\s+)?(?:linkedin|facebook|twitter|instagram)\b"
)
_PUBLIC = (
    r"\bpublic(?:ly)?\b|\banyone\s+(?:can|with\s+the\s+link)|\beveryone\s+can\s+(?:see|view)|"
    r"\bshared\s+with\s+(?:everyone|anyone|the\s+world)"
)
_OUTSIDE = (
    r"\b(?:partners?'?s?|third[- ]part(?:y|ies)|api|webhook|dropbox|google\s+drive|s3|external|"
    r"vendors?|agency|freelancers?|contractors?|3pls?|couriers?|fulfil{1,2}ment\s+(?:partner|company|"
    r"centre|center|house)|sponsors?|advertisers?|distributors?|resellers?|wholesalers?|"
    r"bookkeeper'?s?|accountant'?s?|insurers?|insurance\s+(?:partner|company)|debt\s+collectors?|"
    r"collections?\s+agenc(?:y|ies)|"
    r"marketing\s+(?:platform|company|firm|partner|agency))\b|https?://"
)
# Customer data handed to someone else for their own use: "so they can retarget them".
_THEIR_USE = (
    r"\b(?:retarget\w*|re-?market\w*|resell\w*|sell\s+(?:it|them|the\s+(?:list|data))|"
    r"so\s+(?:that\s+)?they\s+can\s+(?:email|contact|market|sell|call|target|advertise|spam|use|"
    r"run\s+(?:their\s+own\s+)?(?:ads|campaigns|promotions|promos))|"
    r"(?:my\s+)?(?:buddy|friend|mate|cousin|brother|sister)'?s?)\b"
)
# Everyone on the list, not the ones who agreed: "our whole contact list, everyone", "the entire
# customer database", "all our customers' emails".
_WHOLE_LIST = (
    r"\b(?:whole|entire|full|complete)\s+(?:[\w-]+\s+){0,2}?(?:customer|client|contact|user|member|"
    r"subscriber|e-?mail|mailing)s?\s+(?:list|database|db|base|export)\b|"
    r"\b(?:customer|client|contact|user|member)s?\s+(?:list|database)\s*,?\s+(?:everyone|everybody|"
    r"all\s+of\s+(?:them|it))\b|\ball\s+(?:of\s+)?our\s+(?:customers|clients|contacts|users)(?:'|'s)?\s+"
    r"(?:e-?mails?|details|data|info|phone\s+numbers|addresses|names)\b"
)
# Taking away someone's access or changing what they pay: "suspend their account",
# "revoke his access", "cancel their subscription", "downgrade them to the free plan".
_ACCESS = (
    # "pull them out of google workspace, slack and 1password": someone's accounts in our tools
    r"\b(?:pull|take|kick|boot|remov\w*|strip)\w*\s+(?:them|him|her|the\s+person|that\s+person|"
    r"everyone|everybody)\s+(?:out\s+of|off(?:\s+of)?|from)\s+(?:all\s+(?:of\s+)?|every\s+|each\s+|"
    r"our\s+)?(?:(?:the\s+)?(?:google\s+workspace|g\s*suite|workspace|slack|github|gitlab|bitbucket|"
    r"1password|lastpass|bitwarden|okta|m365|microsoft\s+365|office\s+365|azure\s+ad|entra|jira|"
    r"confluence|aws|gcp|notion|figma|zoom|dropbox|(?:internal\s+)?(?:systems|tools|apps|accounts))"
    r"(?:\s*,\s*|\s+and\s+|\s+|$)){1,}|"
    # "at 4 months remove them from the group", "kick them out of the community"
    r"\b(?:remov\w*|kick\w*|boot\w*|drop\w*)\s+(?:them|him|her|members?|users?)\s+(?:out\s+of|from)\s+"
    r"(?:the|our)\s+(?:[\w-]+\s+)?(?:group|community|server|workspace|team|club|organi[sz]ation|org|"
    r"space|forum|channel)s?\b|"
    r"\b(?:deactivat\w*|suspend\w*|disabl\w*|revok\w*|lock\w*|block\w*|remov\w*)\s+"
    r"(?:(?:their|his|her|the|all|every|each|any|our|its)\s+)?(?:[\w-]+\s+){0,2}?(?:accounts?|access|"
    r"logins?|licen[cs]es?|seats?|users?|memberships?|permissions?)\b|"
    r"(?<!\bcustomer\s)(?<!\bcustomers\s)(?<!\bsomeone\s)(?<!\bthey\s)(?<!\buser\s)(?<!\bclient\s)"
    r"(?<!\bwho\s)(?<!\bthat\s)(?<!\bmember\s)(?<!\bsubscriber\s)"
    r"\bcancel(?:s|ed|led)?\s+(?:(?:their|his|her|the|all|every|each|any|our|its)\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:subscriptions?|memberships?|plans?|accounts?|contracts?|trials?)\b|"
    # "subs that have been failing for 30 days - cancel them in stripe"
    r"\b(?:subs|subscriptions|memberships|plans|accounts)\b[^.]{0,80}?\bcancel\s+(?:them|those|"
    r"these)\b|"
    r"\b(?:give|gives|offer|offers)\s+(?:them|him|her|(?:the|each|every|all)(?:\s+\w+){1,2}|\w+)\s+"
    r"(?:an?\s+)?\d+\s?%\s+"
    r"(?:off|discount)\b|\bapply\s+(?:an?\s+)?(?:\d+\s?%\s+)?(?:discount|coupon)\b|"
    r"\bdowngrad\w*\s+(?:them|him|her|their|the|all|every|each|customers?|accounts?|users?)\b|"
    # security and access: "grant admin access to new hires", "turn off two-factor for the team"
    r"\b(?:grant|give|gives|add)\s+(?:\w+\s+){0,3}?(?:admin|administrator|owner|root|superuser|"
    r"full)\s+(?:access|rights|permissions?|roles?)\b|"
    # "give them admin on all our google drive folders", "add them to every shared drive as editor"
    r"\b(?:grant|give|gives|make)\s+(?:them|him|her|the\s+\w+)\s+(?:admin|administrator|owner|"
    r"editor|root|superuser)\s+(?:on|in|to|of|for)\b|"
    r"\b(?:add|adds)\s+(?:them|him|her)\s+to\s+(?:all|every|each|our)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:drives?|folders?|repos?|repositories|vaults?|accounts?|projects?|workspaces?)\s+as\s+"
    r"(?:an?\s+)?(?:admins?|administrators?|owners?|editors?|managers?)\b|"
    # "whoever requests repo access … just grant it": access to our systems handed out
    r"\b(?:requests?|requesting|asks?\s+for|asking\s+for)\s+(?:\w+\s+){0,2}?access\b[^.]{0,80}?"
    r"\b(?:grant|give|approve)\s+(?:it|them|that|access)\b|"
    r"\bgrant\s+(?:it|them|him|her|that)\s+(?:straight\s+away|right\s+away|immediately|"
    r"automatically|at\s+once)\b|"
    r"\b(?:turn\s+off|disable|disables|switch\s+off|remove)\s+(?:the\s+)?(?:two[- ]factor|2fa|mfa|"
    r"multi[- ]factor|sso|single\s+sign[- ]on|password\s+policy)\b|"
    r"\bunsubscribe\s+(?:everyone|everybody|all|every)\b|"
    # "deactivate everybody who left", "strip his roles", "take him off all our apps", "set them
    # inactive": someone's access taken away
    r"\b(?:deactivat\w*|suspend\w*|offboard\w*|lock\s+out)\s+(?:everybody|everyone|them|him|her|"
    r"(?:all|every|each)\s+(?:of\s+)?(?:the\s+|our\s+)?(?:[\w-]+\s+)?(?:users?|members?|staff|"
    r"employees?|people|leavers?|accounts?))\b|"
    r"\b(?:strip|remove|revoke|take\s+away)\w*\s+(?:all\s+)?(?:of\s+)?(?:his|her|their|them\s+of\s+their)\s+"
    r"(?:[\w-]+\s+)?(?:roles?|rights|permissions?|privileges|access|admin)\b|"
    r"\btake\s+(?:him|her|them)\s+off\s+(?:of\s+)?(?:all\s+|every\s+)?(?:our\s+|the\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:apps?|tools?|systems?|accounts?|teams?|workspaces?|channels?|groups?|lists?)\b|"
    r"\bset\s+(?:him|her|them|(?:all|every)\s+(?:[\w-]+\s+)?(?:users?|members?|accounts?))\s+(?:to\s+|as\s+)?"
    r"(?:inactive|deactivated|disabled|suspended)\b|"
    r"\b(?:stop|end|terminate|kill)\s+(?:all\s+|every\s+)?(?:of\s+)?(?:the\s+|our\s+)?(?:[\w-]+\s+)?"
    r"subscriptions\b(?!\s+(?:e-?mails?|notifications?|reminders?|alerts?|digests?))|"
    r"\bcancel\s+(?:all|every|any)\s+(?:\w+\s+){0,2}?orders?\b|"
    # "I want their account closed", "their service should be suspended"
    r"\b(?:want|need|have|get)\s+(?:their|the|his|her|its)\s+(?:[\w-]+\s+){0,2}?(?:accounts?|access|"
    r"memberships?|subscriptions?|services?)\s+(?:closed|cancel+ed|suspended|deactivated|disabled|"
    r"locked|terminated|revoked)\b|\b(?:accounts?|access|memberships?|subscriptions?|services?)\s+"
    r"(?:should|must|will|to|would)\s+be\s+(?:closed|cancel+ed|suspended|deactivated|disabled|locked|"
    r"terminated|revoked)\b|"
    # "if unpaid subscriptions were cancelled automatically after the third failed charge"
    r"\b(?:accounts?|memberships?|subscriptions?|services?|licen[cs]es?)\s+(?:were|are|get|got|gets|"
    r"being)\s+(?:automatically\s+|auto-?)(?:closed|cancel+ed|suspended|deactivated|disabled|"
    r"terminated|revoked)\b|\b(?:accounts?|memberships?|subscriptions?|services?|licen[cs]es?)\s+"
    r"(?:were|are|get|got|gets|being)\s+(?:closed|cancel+ed|suspended|deactivated|disabled|terminated|"
    r"revoked)\s+automatically\b|"
    # "make sure all their stripe subscriptions get cancelled"
    r"\b(?:make\s+sure|ensure|so\s+that)\b[^.]{0,50}\b(?:accounts?|memberships?|subscriptions?|"
    r"services?|licen[cs]es?)\s+(?:get|gets|are|is)\s+(?:closed|cancel+ed|suspended|deactivated|"
    r"terminated|revoked)\b|\bchange\s+(?:their|his|her|the|a)\s+(?:customer'?s?\s+)?(?:plan|price|pricing)\b"
)
# Changing what subscribers pay in Stripe ("raise all our subscription prices by 5% in stripe").
_PRICE_CHANGE = (
    r"\b(?:raise|increase|lower|cut|reduce|decrease|drop|change|update|adjust|bump|hike|slash|"
    r"mark\s+down|discount|switch|move)\s+(?:all\s+|every\s+)?(?:of\s+)?"
    r"(?:our\s+|the\s+|their\s+)?(?:[\w-]+(?:'s)?\s+){0,2}?(?:prices?|pricing|fees?|rates?|plans|billing)\b|"
    # "bulk price update: increase all variants by 8%"
    r"\b(?:bulk\s+)?price\s+(?:updates?|changes?|increases?|rises?|hikes?|cuts?)\b[^.]{0,40}?"
    r"\b(?:all|every|each|bulk)\b[^.]{0,30}?\d+(?:\.\d+)?\s?%|"
    # "prices should update automatically", "the whole catalog at 50% off"
    r"\bprices?\s+(?:should|to|must|will|would)\s+(?:be\s+)?(?:update|change|adjust|sync)\w*\s+"
    r"automatically\b|\b(?:put|mark|set|have)\s+(?:the\s+)?(?:whole|entire|full|all\s+(?:the\s+)?)\s*"
    r"(?:catalog(?:ue)?|store|shop|range|products?|stock)\s+(?:at|to)\s+\d{1,3}\s?%\s+off\b"
)
# What a shop sells: its prices are what customers pay ("drop all sewing supplies prices 10% in
# shopify", "bump every product price by 4%"). Someone else's prices are only read.
_SHOP_GOODS = (
    r"\b(?:products?|variants?|bulk|items?|catalog(?:ue)?|store|shop|shopify|woocommerce|bigcommerce|etsy|amazon|"
    r"ebay|squarespace|wix|menu|skus?|listings?|collections?|inventory|everything)\b|"
    r"\b(?:all|every)\s+(?:of\s+)?(?:our\s+|the\s+)?(?:[\w-]+\s+){0,2}?prices?\b"
)
# "push the new prices to every matching item", "apply the new wholesale prices to all products"
_PUSH_PRICES = (
    r"\b(?:push|apply|copy|sync|set|write|upload)\w*\s+(?:the\s+|our\s+|those\s+)?(?:new\s+|updated\s+)?"
    r"(?:[\w-]+\s+)?prices?\b[^.]{0,40}?\b(?:to|on|onto|into|in|for)\s+(?:every|all|each|the\s+whole|"
    r"our\s+(?:shop|store)|the\s+(?:shop|store))"
)
_THEIR_PRICES = r"\b(?:competitors?|competition|rivals?|their|supplier'?s?|vendor'?s?)\s+prices?\b"
# "bump EVERY existing store to 11.99": everyone on a plan moved to a new price.
_MOVE_EVERYONE_TO_PRICE = (
    r"\b(?:bump|move|raise|increase|switch|change|put)\s+(?:every|all|each)\s+(?:of\s+)?(?:the\s+|our\s+)?"
    r"(?:existing\s+|current\s+)?(?:[\w-]+\s+){0,2}?(?:to|onto)\s+[$£€]?\d+(?:[.,]\d{2})?\b|"
    # "switch them to $36", "move every existing subscriber in stripe onto the new price",
    # "migrate all the paid subs to it": subscribers moved to another price
    r"\b(?:bump|move|switch|change|put|migrate|transfer)\s+(?:them|everyone|everybody|"
    r"(?:every|all|each)\s+(?:of\s+)?(?:the\s+|our\s+)?(?:[\w-]+\s+){0,2}?(?:subscribers?|subs|"
    r"customers?|members?|users?|accounts?|plans?))\b[^.]{0,40}?\b(?:to|onto)\s+(?:[$£€]\s?\d+|"
    r"(?:the\s+|a\s+|our\s+)?new\s+(?:price|pricing|plan|rate|tier)s?\b|it\b)|"
    # "bump the subscription for legacy users from the starter plan to growth"
    r"\b(?:bump|move|switch|upgrade|downgrade|migrate|change|put)\s+(?:the\s+|their\s+|all\s+)?"
    r"(?:[\w-]+\s+){0,4}?from\s+(?:the\s+|their\s+)?[\w-]+\s+(?:plan|tier|package)\s+(?:to|onto)\b"
)
# Deceiving people about who speaks: fake reviews, posing as customers, astroturfing.
# Sending so that filters or carriers do not notice: rotating senders, slipping past spam checks.
_EVADE_FILTERS = (
    r"\b(?:so|to|and)\s+(?:that\s+)?(?:the\s+)?(?:carriers?|spam\s+filters?|filters?|gmail|outlook|"
    r"providers?|isps?|networks?)\s+(?:do\s*n'?t|don'?t|do\s+not|won'?t|can'?t|cannot|never|wont|dont)\s+"
    r"(?:catch|flag|block|notice|detect|mark|spot|filter)\w*|"
    r"\b(?:get|gets|getting|slip|sneak|dodge|evade|bypass|avoid)\w*\s+(?:past|around|through|by)?\s*"
    r"(?:the\s+)?(?:spam\s+(?:filters?|checks?|folders?|detection)|carriers?'?\s+(?:filters?|checks?)|"
    r"carrier\s+filtering)\b|"
    r"\b(?:rotat\w*|switch\w*|cycl\w*|alternat\w*)\s+(?:between\s+|through\s+)?(?:a\s+bunch\s+of\s+|"
    r"lots\s+of\s+|many\s+|several\s+|different\s+|multiple\s+){0,2}(?:different\s+)?(?:sender|sending|"
    r"from)\s+(?:numbers|addresses|domains|ips|accounts|names)\b"
)
# Contact details gathered from pages we do not own: "grab whatever email addresses are on them",
# "pull the recruiter emails out of every indeed posting", "everyone listed on a competitor's page"
_HARVEST_CONTACTS = (
    r"\b(?:grab|pull|scrap|extract|collect|harvest|gather|lift|copy|get|find)\w*\s+(?:[\w'-]+\s+){0,4}?"
    r"(?:e-?mails?|e-?mail\s+addresses|addresses|phone\s+numbers|numbers|contact\s+(?:info|details|"
    r"data)|names)\b[^.;]{0,70}?(?:\b(?:out\s+of|off|from|on|of|in|under|listed)\s+(?:[\w'/-]+\s+){0,5}?"
    r"(?:postings?|listings?|profiles?|websites?|web\s*sites?|sites|pages?|directory|directories|"
    r"search(?:es)?(?:\s+results)?|linkedin|indeed|yelp|glassdoor|crunchbase|google\s+maps|"
    r"competitors?'?s?|rivals?'?s?)\b|\b(?:are|is|listed)\s+(?:on|in)\s+them\b)"
)


# "paste a linkedin profile url …, find their work email with leadmagic": an address looked up
# for someone who only has a public profile (they never gave it)
_FOUND_FROM_PROFILES = (
    r"\b(?:linkedin|twitter|x|instagram|facebook|github)\s+(?:profile\s+)?(?:urls?|links?|profiles?|"
    r"handles?)\b[^.]{0,100}?\b(?:find|finds|look\s+up|looks\s+up|get|gets|enrich\w*|guess\w*)\s+"
    r"(?:their|the|his|her|each\s+one'?s)\s+(?:work\s+|business\s+|personal\s+|direct\s+)?"
    r"(?:e-?mails?|e-?mail\s+addresses|addresses|phone\s+numbers|numbers|contact\s+details)\b"
)


def _harvests_contacts(text: str) -> bool:
    """Whether contact details are gathered from pages that are not ours ("on them", "every
    indeed posting", "our competitor's page"), not from "our website form" or "my own page"."""
    if has(text, _FOUND_FROM_PROFILES):
        return True
    for found in re.finditer(_HARVEST_CONTACTS, text):
        source = found.group(0)[-60:]
        ours = has(source, r"\b(?:our|my|own)\b") and not has(source, r"\b(?:competitor|rival)")
        if not ours:
            return True
    return False


# "find prospects by job title, send connection requests, message them on day 3": people found on
# a network and messaged by a bot in their own inbox there (the network's rules forbid it).
_NETWORK_OUTREACH = (
    r"\b(?:find|finds|finding|search\w*|look\w*\s+up|pull|scrap\w*)\b[^.]{0,150}?"
    r"\b(?:connection\s+requests?|connect\s+with\s+them|inmails?|dms?|message\s+them|"
    r"follow[- ]?ups?)\b"
)
_OUTREACH = (
    r"\bcold\b|\bpitch\w*|\bsequence\b|\bcampaign\b|\boutreach\b|\bcall\s+them\b|"
    r"\b(?:e-?mail|send|text|message|dm)\s+(?:each|them|every|all)\b|\badd\s+(?:them|each)\b|"
    # "then blast all of them our offer", "spam them", "hit them all with our promo"
    r"\b(?:blast|spam|mass[- ]?e-?mail|hit)\s+"
    r"(?:all\s+(?:of\s+)?|each\s+(?:of\s+)?|every\s+one\s+(?:of\s+)?)?"
    r"(?:them|those|these|each|every|all|everyone)\b"
)
_DECEIVE = (
    r"\b(?:fake|made[- ]up|fabricated|invented)\s+(?:\w+\s+)?(?:reviews?|testimonials?|accounts?|"
    r"profiles?|comments?|ratings?|personas?)\b|\bastroturf\w*|\bsock\s*puppets?\b|"
    r"\b(?:pretend\w*|pos(?:e|ing))\s+(?:to\s+be\s+|as\s+)(?:an?\s+)?(?:real\s+|happy\s+|"
    r"independent\s+|random\s+)?(?:customers?|users?|buyers?|clients?|fans?|people|redditors?)\b|"
    r"\bimpersonat\w*|\b(?:accounts?|profiles?|personas?)\s+(?:that|which|who)\s+(?:look|looks|seem|"
    r"seems|appear|appears)\s+(?:like\s+)?(?:normal|real|regular|random|ordinary|independent|genuine)\s+"
    r"(?:users?|people|customers?|redditors?|accounts?)\b|\b(?:sock|burner|throwaway|fake|alt)\s+"
    r"accounts?\b|\bwithout\s+(?:saying|disclosing|revealing|mentioning)\s+(?:that\s+)?"
    r"(?:it'?s|we'?re|we\s+are|it\s+is)\s+(?:us|ours|our\s+(?:company|brand|product))|"
    # "post a few 5 star google reviews for my restaurant … under different names"
    r"\b(?:post|write|leave|publish|add)\w*\s+(?:a\s+few\s+|some\s+|a\s+couple\s+(?:of\s+)?|\d+\s+|"
    r"more\s+)?(?:5|five)[- ]?stars?\s+(?:\w+\s+)?reviews?\s+(?:for|about|on|of)\s+(?:my|our|us)\b|"
    r"\b(?:reviews?|ratings?|comments?|posts?)\b[^.]{0,60}\b(?:under|from|with|using|by|in)\s+"
    r"(?:(?:different|fake|other|multiple|several|random|made[- ]up|invented|fictional|false|"
    r"fictitious)\s+){1,3}(?:names|people|accounts|customers|identities)\b|"
    # "write 10 reviews each, 5 stars, random customer names": reviews nobody wrote
    r"\b(?:write|writes|generate|create|make)\s+(?:like\s+|about\s+|some\s+|a\s+few\s+)?(?:\d+\s+)?"
    r"(?:[\w-]+\s+)?(?:reviews?|testimonials?|endorsements?|ratings?)\b[^.]{0,80}\b(?:random|fake|"
    r"made[- ]up|invented|different|fictional|fictitious)\s+(?:customer\s+|user\s+|buyer\s+)?"
    r"names\b|"
    # "realistic 5 star reviews … so they look like real customers": reviews passed off as others'
    r"\b(?:reviews?|testimonials?|ratings?)\b[^.]{0,120}\b(?:so\s+(?:that\s+)?)?(?:they|it|them)\s+"
    r"(?:look|looks|seem|seems|appear|appears|read|reads|sound|sounds)\s+(?:like\s+|as\s+if\s+"
    r"(?:they\s+(?:are|were|came)\s+)?(?:from\s+)?)?(?:they'?re\s+from\s+)?(?:real|genuine|"
    r"actual|independent|organic|human)\b|"
    # "write booking.com reviews … in the names of guests who stayed": reviews signed by others
    r"\b(?:reviews?|testimonials?|ratings?)\b[^.]{0,80}\b(?:in|under)\s+(?:the\s+)?names?\s+of\s+"
    r"(?:(?:our|the|real|actual|past|recent)\s+)?(?:guests?|customers?|clients?|patients?|buyers?|"
    r"users?|people|diners?|visitors?)\b|"
    r"\b(?:realistic|authentic-?looking|real-?looking|genuine-?looking|human-?sounding)\s+"
    r"(?:[\w-]+\s+){0,3}(?:reviews?|testimonials?|ratings?|comments?)\b"
)
# Likes and comments made by a bot so an account looks attended to by its person: "like posts and
# write comments … so my account looks active".
_FAKE_ENGAGEMENT = (
    r"\b(?:like|likes|liking|comment\w*|engag\w*|follow\w*|react\w*)\b[^.]{0,120}\bso\s+(?:that\s+)?"
    r"(?:my|our|the|his|her)\s+(?:[\w-]+\s+)?(?:account|profile|page)\s+(?:looks?|seems?|appears?)"
    r"\s+(?:more\s+)?(?:active|real|human|genuine|organic|legit|busy|popular)\b"
)
# Sending or posting as someone who did not agree to it: a colleague's address put in the From,
# a member's own social account posted from.
_IMPERSONATE = (
    # "from an address that looks like their bank's collections team": posing as an institution
    r"\b(?:look|looks|looking|seem|seems|appear|appears)\s+(?:like|as\s+if|as\s+though)\s+"
    r"(?:(?:it|they)(?:'s|'re|\s+is|\s+are|\s+came|\s+come|\s+was\s+sent)\s+(?:from\s+)?)?"
    r"(?:their|the|a|an|his|her)\s+(?:own\s+)?(?:[\w-]+\s+)?(?:bank|bank's|police|court|lawyers?|"
    r"attorneys?|solicitors?|bailiffs?|government|tax\s+office|irs|hmrc|debt\s+collect\w*|"
    r"collections?\s+(?:team|agency|department|dept)|official)\b|"
    r"\b(?:pretend\w*|pos(?:e|es|ing))\s+(?:to\s+be\s+|as\s+)(?:their|the|a|an)\s+(?:[\w-]+\s+)?"
    r"(?:bank|police|court|lawyers?|attorneys?|bailiffs?|government|tax\s+office|debt\s+collectors?|"
    r"collections?\s+agenc(?:y|ies))\b|"
    # "a payment reminder made to look like it comes from paypal", "a paypal-ish from address",
    # spoofed senders: mail passed off as another company's
    r"\b(?:made|make|designed|dressed\s+up|styled)\s+(?:\w+\s+)?to\s+(?:look|seem|appear)\s+"
    r"(?:like|as\s+if|as\s+though)\s+(?:it|they)\s+(?:comes?|came|is|are|was|were)\s+(?:sent\s+)?from\b|"
    r"\b[a-z]+-?ish\s+(?:from\s+|sender\s+)?(?:address|sender|e-?mail\s+address|domain|from)\b|"
    r"\bspoof\w*|"
    # "make the sender show up as their bank", "so the text shows as coming from the bank"
    r"\b(?:sender|from(?:\s+(?:name|address|line|field))?|caller\s+id|number|it|they)\s+"
    r"(?:shows?|show\s+up|appears?|displays?|comes?\s+up|reads?)\s+(?:up\s+)?(?:as|like)\s+"
    r"(?:coming\s+from\s+)?(?:their|the|a|an|his|her)\s+(?:own\s+)?(?:[\w-]+\s+)?(?:bank|police|"
    r"court|lawyers?|government|tax\s+office|irs|hmrc|paypal|amazon|apple|microsoft|google)\b|"
    # mail made to look as if someone else sent it: "make it look like it came from our CEO"
    r"\bmake\s+(?:it|them|this|these)\s+(?:look|seem|appear)\s+(?:like|as\s+if|as\s+though)\s+"
    r"(?:it|they)\s+(?:came|come|was\s+sent|were\s+sent|is\s+from|are\s+from)\b|"
    r"\bput\s+(?:his|her|their|(?:our\s+|the\s+)?[\w-]+'s)\s+(?:e-?mail|address|name)\s+(?:\w+\s+)?in(?:to)?\s+the\s+from\b|"
    # "written as if our CEO wrote each one personally. she doesnt know": someone of ours who
    # has not agreed to it
    r"\b(?:written|worded|signed|sent)\s+(?:as\s+if|as\s+though|like)\s+(?:our|the|my)\s+"
    r"(?:ceo|founder|boss|manager|director|owner|president|chair\w*|[\w-]+'s\s+\w+)\s+"
    r"(?:wrote|sent|had\s+written|typed|personally)\b(?=.{0,80}\b(?:doesn'?t|doesnt|does\s+not|"
    r"don'?t|dont|won'?t)\s+know\b)|"
    # posting from other people's own accounts: "tweet from THEIR twitter account"
    r"\b(?:post|tweet|publish|share)\w*\b[^.]{0,40}\bfrom\s+(?:their|his|her|(?:each|every)\s+"
    r"[\w-]+'s)\s+(?:own\s+)?(?:[\w-]+\s+)?(?:accounts?|profiles?|handles?|pages?)\b(?!\s*(?:manager|"
    r"owner|rep|executive)|')"
)
# Approving everyone's requests or claims in a batch ("auto-approve every expense under $1000").
_APPROVE_ALL = (
    r"\bauto-?approv\w*|\bapprov\w*\s+(?:all|every|each|any)\b|"
    r"\bautomatically\s+approv\w*"
)
_UNCHECKED = {
    "access": "change who has access to what, or what someone pays,",
    "prices": "change what your customers pay",
    "bulk": "message everyone on a list at once",
    "delete": "delete data",
    "money": "move money",
    "data": "send your customers' data outside Levqor",
    "records": "overwrite a field on many records at once",
}


# Done behind the backs of the people responsible for it: "dont let IT see it", "without my boss
# knowing", "secretly".
_CONCEAL = (
    r"\b(?:don'?t|dont|do\s+not|never|without)\s+let(?:ting)?\s+(?:it|the\s+it\s+(?:team|department|"
    r"dept)|anyone|anybody|my\s+(?:boss|manager|team)|management|hr|security|compliance|the\s+(?:boss|"
    r"owner|owners|company|office))\s+(?:see|know|notice|find\s+out)\b|"
    r"\bwithout\s+(?:it|anyone|anybody|my\s+(?:boss|manager)|management|the\s+(?:boss|owner|company|"
    r"it\s+team)|hr|security)\s+(?:seeing|knowing|noticing|finding\s+out|being\s+told)\b|"
    r"\b(?:secretly|covertly|on\s+the\s+(?:quiet|sly)|behind\s+(?:my\s+|our\s+|the\s+)?[\w']+\s+back)\b|"
    r"\bhid(?:e|ing|den)\s+(?:it\s+|them\s+|this\s+)?from\s+(?:it|the\s+it\s+team|my\s+(?:boss|"
    r"manager)|management|hr|security|the\s+(?:boss|owner|company))\b|"
    # "they dont need to know about it", "don't tell anyone", "without them knowing"
    r"\b(?:they|he|she|staff|employees|the\s+\w+)\s+(?:don'?t|dont|do\s+not|doesn'?t|doesnt|"
    r"does\s+not)\s+(?:need|have)\s+to\s+know\b|"
    r"\b(?:don'?t|dont|do\s+not|never)\s+tell\s+(?:anyone|anybody|them|him|her|my\s+(?:boss|"
    r"manager|team)|the\s+(?:boss|owner|team|company|staff))\b|"
    r"\bwithout\s+(?:them|him|her|their|his|staff|employees|anyone)\s+know(?:ing)?\b|"
    # "so IT doesnt notice", "she doesnt know, keep it that way", "so nobody finds out"
    r"\bso\s+(?:that\s+)?(?:it|the\s+it\s+(?:team|department|dept)|nobody|no\s+one|no-one|my\s+(?:boss|"
    r"manager)|management|hr|security|the\s+(?:boss|owner|company))\s+(?:doesn'?t|doesnt|does\s+not|"
    r"won'?t|wont|will\s+not|can'?t|cant|never)\s+(?:notice|see|know|find\s+out|catch\s+on)\b|"
    r"\bso\s+(?:that\s+)?(?:nobody|no\s+one|no-one)\s+(?:notices|sees|knows|finds\s+out)\b|"
    r"\b(?:he|she|they)\s+(?:doesn'?t|doesnt|does\s+not|don'?t|dont|do\s+not)\s+know\b[^.;]{0,20}"
    r"\bkeep\s+it\s+that\s+way\b"
)
# Watching people: where they are, what they type or browse.
_WATCH_PEOPLE = (
    r"\b(?:gps|locations?|where\s+(?:they|he|she)\s+(?:are|is)|keystrokes?|screenshots?|"
    r"webcams?|browsing|screen\s+time|private\s+messages|dms)\b|"
    r"\bwhere\s+(?:[\w']+\s+){0,4}?(?:phones?|devices?|cars?|vans?|trucks?|laptops?)\s+(?:are|is)\b"
)
_COPY_OUT = (
    r"\b(?:cop(?:y|ies|ying)|forward\w*|send\w*|export\w*|download\w*|sync\w*|mirror\w*|"
    r"back(?:s|ing)?\s+up|upload\w*|move\w*|transfer\w*|share\w*|delet\w*|remov\w*|wip\w*)\b"
)

# Phone numbers the business never collected: scraped off a directory or groups, or bought.
_NUMBERS = r"(?:(?:phone|mobile|cell|whatsapp|sms)\s+)?numbers\b"
_UNOWNED_NUMBERS = (
    r"\b(?:scrap\w*|harvest\w*|crawl\w*|grab\w*|pull\w*|collect\w*|extract\w*|gather\w*|"
    r"copy\w*|get)\s+(?:[\w'-]+\s+){0,5}?" + _NUMBERS + r"[^.]{0,60}?\b(?:from|off|of|in|on)\s+"
    r"(?:[\w'-]+\s+){0,6}?(?:director(?:y|ies)|groups?|google|maps|yelp|yellow\s*pages|web|"
    r"websites?|sites?|listings?|facebook|instagram|linkedin|forums?|chats?)\b|"
    r"\b(?:scrap\w*|harvest\w*|bought|buy|purchas\w*|rented)\s+(?:[\w'-]+\s+){0,3}?"
    + _NUMBERS
    + "|"
    r"\bnumbers\s+(?:that\s+)?(?:i|we|you)\s+(?:just\s+)?(?:bought|purchased|scraped|rented|"
    r"harvested|got\s+from\s+(?:a|an|the)\s+(?:[\w-]+\s+)?(?:seller|broker|vendor|list))\b"
)
_TEXTING = (
    r"\b(?:text\w*|sms|whats\s*app\w*|message\w*|blast\w*|send\w*|promo\w*|offer|dm\w*|"
    r"call\w*|outreach)\b"
)
# Sending paced, rotated or dressed up so a platform's spam checks do not see it.
_EVADES_FILTERS = (
    r"\bso\s+(?:that\s+)?(?:it|they|we|the\s+\w+)\s+(?:looks?|seems?|appears?|reads?)\s+"
    r"(?:like\s+)?(?:a\s+|more\s+)?(?:human|real\s+person|natural|organic|manual)\b|"
    r"\b(?:so|so\s+that|to\s+make\s+sure|making\s+sure)\s+(?:(?:whats\s*app|gmail|google|outlook|"
    r"the\s+carriers?|carriers?|twilio|linkedin|facebook|instagram|meta|spam\s+filters?|they|it|"
    r"nobody|no\s+one|our\s+(?:number|domain|account|ip))\s+)(?:doesn'?t|doesnt|does\s+not|don'?t|"
    r"dont|do\s+not|won'?t|wont|can'?t|cant|never)\s+(?:ban|block|flag|detect|notice|catch|"
    r"filter|limit|spot|suspend)\w*|"
    r"\brotat\w*\s+(?:between\s+)?(?:our\s+|the\s+|my\s+|several\s+|\d+\s+|a\s+few\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?:sender\s+)?(?:numbers|mailboxes|inboxes|domains|sender\s+addresses|"
    r"sending\s+accounts|ips?|ip\s+addresses)\b|"
    r"\bfrom\s+\d+\s+(?:rotating|different)\s+(?:mailboxes|inboxes|numbers|domains|accounts)\b|"
    r"\b(?:avoid|dodge|evade|evading|get\s+(?:past|around)|slip\s+past|bypass\w*|trick\w*)\s+"
    r"(?:the\s+|their\s+|any\s+)?(?:[\w-]+\s+){0,2}?(?:spam\s+(?:filters?|checks?|detection)|"
    r"bans?|blocks?|spam\s+folder)\b"
)


def refusal(text: str) -> str | None:
    """Why a dangerous request is not drafted at all, or None."""
    if has(text, _CONCEAL) and has(text, _COPY_OUT) and not has(text, _IMPERSONATE):
        return (
            "I can't copy, move or delete the business's mail or data where the people "
            "responsible for it cannot see: every workflow is visible to your workspace's "
            "owners. I can draft it openly, for an owner to approve."
        )
    if has(text, _CONCEAL) and has(text, _WATCH_PEOPLE):
        return (
            "I can't track people without them knowing: watching staff in secret breaks privacy "
            "and employment law. I can draft it openly (the people tracked are told, and only "
            "during working hours), for an owner to approve."
        )
    if has(text, _EVADE_FILTERS):
        return (
            "I can't send in a way meant to get past spam filters or carriers' checks (rotating "
            "sender numbers, addresses or domains): that is how spam is sent, and it gets your "
            "numbers and domain blocked. I can send to people who opted in, from your own "
            "number or address, with an owner's approval."
        )
    if _harvests_contacts(text) and has(text, _OUTREACH):
        return (
            "I can't gather people's contact details from websites, listings or profiles to "
            "contact them cold: they never gave them to you, which data-protection and anti-spam "
            "law forbid. I can reach people who came to you, such as your form sign-ups or CRM "
            "contacts, with an owner's approval."
        )
    if has(text, _NETWORK_OUTREACH) and has(
        text, r"\blinkedin\b|\bconnection\s+requests?\b|\binmails?\b"
    ):
        return (
            "I can't find people on LinkedIn and send them connection requests or messages "
            "automatically: they never asked to hear from you, and LinkedIn bans automated "
            "outreach (accounts that do it get restricted). I can follow up with people who "
            "came to you, such as form sign-ups or CRM contacts, with an owner's approval."
        )
    if has(text, _FAKE_ENGAGEMENT):
        return (
            "I can't like or comment on posts automatically so an account looks active: the "
            "people reading take it for its owner's own attention, and LinkedIn and the other "
            "networks ban automated engagement. I can find posts worth answering and send them "
            "to you, or draft comments for you to post yourself."
        )
    if has(text, _DECEIVE):
        return (
            "I can't write fake reviews or post as people you are not, such as customers or "
            "independent users: that deceives the people reading it, and the sites ban it. I can "
            "ask your real customers for a review, or draft posts that say they are from you."
        )
    if has(text, _IMPERSONATE):
        return (
            "I can't send or post as someone who has not agreed to it, from their address or "
            "their own account: the people reading it would be misled about who wrote it. I can "
            "send it from your own address, or ask them to share it themselves."
        )
    if has(text, _UNOWNED_NUMBERS) and has(text, _TEXTING):
        return (
            "I can't text, call or message phone numbers scraped from directories or groups, "
            "or bought: those people never gave you their number, which anti-spam and "
            "data-protection law forbid, and the messaging apps ban the sender. I can message "
            "people who came to you and agreed to it, with an owner's approval."
        )
    if has(text, _EVADES_FILTERS) and has(text, _TEXTING + r"|\be-?mail\w*|\bcampaign\b"):
        return (
            "I can't pace, rotate or disguise messages so spam filters or a platform's limits "
            "miss them: that hides bulk sending from the people and services that protect "
            "recipients, and gets your number or domain banned. I can send to people who "
            "opted in at a normal pace, with an owner's approval."
        )
    bulk = has(text, _BOUGHT) or has(text, _GATHERED) or has(text, _COLD_LIST)
    if (
        (has(text, _SCRAPE) or bulk)
        and has(text, _MAILING)
        and has(text, r"\be-?mails?\b|\baddress|\blists?\b|\bthem\b")
    ) or risk_cues.mails_unowned_addresses(text):
        return (
            "I can't email addresses guessed, scraped from the web, bought or on a cold list: "
            "that is unsolicited bulk mail, which "
            "anti-spam law forbids and which gets your domain blocked. I can email people who "
            "opted in, such as your CRM contacts, with an owner's approval."
        )
    if asks_unconsented(text) and (
        has(text, _PERSONAL_DATA + r"|\be-?mails?\b|\bphones?\b")
        and has(text, _MAILING + r"|\bmarketing\b|" + _OUTSIDE)
    ):
        return (
            "I can't send marketing to people who did not agree to it, or hand their details "
            "over for it: that breaks data-protection law. I can do it for the people who opted "
            "in, with an owner's approval."
        )
    if has(text, _PERSONAL_DATA) and has(text, _PUBLIC):
        return (
            "I can't publish your customers' personal data where anyone can see it. An owner can "
            "export it from Levqor, or I can share it with workspace members only."
        )
    if _moves_money(text) and has(text, _PERSONAL_BOX):
        return (
            "I can't move the business's money to a personal account. An owner can do that in "
            "Stripe; I can tell you when your balance is over an amount instead."
        )
    if has(text, _PERSONAL_DATA) and has(text, _PERSONAL_BOX):
        return (
            "I can't send your customers' personal data to a personal mailbox or account. An "
            "owner can export it from Levqor, or I can send it to a workspace member's work "
            "address with an owner's approval."
        )
    if has(text, _PERSONAL_DATA) and has(text, _OUTSIDE + r"|@") and has(text, _THEIR_USE):
        return (
            "I can't hand your customers' personal data to another business for their own "
            "marketing: your customers did not agree to that. I can share figures without "
            "names, or send the list to a workspace member with an owner's approval."
        )
    if has(text, _WHOLE_LIST) and has(text, _PERSONAL_DATA) and has(text, _OUTSIDE):
        return (
            "I can't send your whole customer list to another business: most of those people "
            "never agreed to it. An owner can export it from Levqor and share it under a "
            "data-processing agreement, or I can send only the customers who agreed, with an "
            "owner's approval."
        )
    if _moves_money(text) and (has(text, _WITHOUT_CHECKING) or risk_cues.skips_checks(text)):
        return (
            "I can't move money without anyone checking it. I can draft it so that an owner "
            "approves the workflow and each payment is logged: say if you want that."
        )
    if risk_cues.skips_checks(text) and has(text, _APPROVE_ALL):
        return (
            "I can't approve requests on people's behalf without anyone checking them: that "
            "removes the approval itself. I can collect them and send the approver one list."
        )
    if risk_cues.skips_checks(text) and risky_act(text):
        return (
            f"I can't {_UNCHECKED[risky_act(text) or 'delete']} without anyone checking it "
            "first. I can draft it as a workflow only an owner can approve: say if you want that."
        )
    return None


def risky_act(text: str) -> str | None:
    """Which risky act the request asks for (delete, money, data, access), or None."""
    text = labels_masked(text)  # "sort each email (refund, password, …)": kinds of mail
    if has(without_event_clause(attributes_masked(text)), _DELETE):
        return "delete"
    if _moves_money(text):
        return "money"
    if (has(text, _PERSONAL_DATA) and has(text, _OUTSIDE)) or risk_cues.ships_personal_data(text):
        return "data"
    if has(without_event_clause(text), _ACCESS):
        return "access"  # ("when a customer cancels …" is the event, not an act)
    if changes_prices(text):
        return "prices"
    if risk_cues.sends_in_bulk(without_event_clause(text)):
        return "bulk"
    if overwrites_in_bulk(without_event_clause(text)):
        return "records"
    return None


# Many CRM records changed in one go: "set lifecycle stage on all 4000 companies", "swap the
# owner on every open opportunity", "go over all our old contacts and overwrite those fields".
_CRM_RECORDS = (
    r"(?:contacts?|compan(?:y|ies)|deals?|opportunit(?:y|ies)|leads?|accounts?|records?|"
    r"customers?|people|persons?|tickets?)"
)
_EVERY_RECORD = (
    r"\b(?:all|every|each)\s+(?:single\s+)?(?:of\s+)?(?:our\s+|the\s+|my\s+)?(?:~?\d[\d,.]*k?\s+)?"
    r"(?!new\b|incoming\b|upcoming\b|future\b)(?:[\w-]+\s+){0,2}?"
    + _CRM_RECORDS
    + r"\b(?!\s+(?:who|that|whose|which|where|with)\b)"
)
# A field set ("set lifecycle stage = customer", "swap the owner", "change their status"), or
# an overwrite said as such.
_OVERWRITE_VERB = (
    r"\b(?:overwrit\w*|over-?writ\w*|bulk[- ]?(?:edit|update)\w*|mass[- ]?(?:edit|update)\w*|"
    r"reassign\w*|re-assign\w*)\b|"
    r"\b(?:set|sets|setting|change|changes|changing|swap\w*|replace\w*|reset\w*|blank|fill\w*)\s+"
    r"(?:in\s+|out\s+)?(?:the\s+|their\s+|its\s+|those\s+|these\s+)?(?:[\w-]+\s+){0,2}?(?:owners?|stages?|"
    r"status(?:es)?|fields?|propert(?:y|ies)|values?|tags?|sources?|types?|categor(?:y|ies)|reps?|"
    r"assignees?|segments?|scores?|lists?)\b|\b[\w-]+\s*=\s*[\w-]+"
)
_CRM_PLACE = (
    r"\b(?:crm|hubspot|salesforce|pipedrive|zoho|dynamics|freshsales|copper|close\.com|suitecrm|"
    r"mautic|insightly|keap|attio|zendesk\s+sell|odoo|sugarcrm|vtiger)\b|"
    r"\b(?:compan(?:y|ies)|deals?|opportunit(?:y|ies)|contacts?)\b"
)


def overwrites_in_bulk(text: str) -> bool:
    """Whether a clause overwrites a field on every record of a CRM (a bulk edit loses the old
    values of thousands of records; one contact's update is an ordinary write)."""
    if not has(text, _CRM_PLACE):
        return False
    for clause in risk_cues.clauses(text):
        verb = re.search(_OVERWRITE_VERB, clause)
        scope = re.search(_EVERY_RECORD, clause)
        if verb and scope and abs(verb.start() - scope.start()) <= 80:
            return True
    return False


def unchecked(text: str, approval_class: str) -> str | None:
    """Why a draft that is not class C still cannot go out: it was asked to do something risky.

    The safety net under the step rules: a request that deletes, moves money or sends customer
    data outside, drafted without the step that would make an owner confirm it, is refused with
    this sentence rather than drafted looking safer than it is.
    """
    if approval_class == "C":
        return None
    acts = without_event_clause(attributes_masked(text))
    found = "delete" if has(acts, _DELETE) else risky_act(text)
    if found is None:
        return None
    return (
        f"This asks me to {_UNCHECKED[found]}, and I could not draft a step that does exactly "
        "that for an owner to check, so I have not drafted it. Tell me which tool and which "
        "records it should act on, and I'll draft it as a workflow only an owner can approve."
    )


def add_dangerous_steps(steps: StepList, t: str, trigger: TriggerReading) -> None:
    """The delete, refund, payment and price steps the request asks for, if none does them yet."""
    if changes_subscription_prices(t) and not _has_money_step(steps):
        _add_price_change(steps, t)
    acts = without_event_clause(attributes_masked(t))  # "when someone deletes a file" is the event
    if has(acts, _DELETE):
        _add_delete(steps, attributes_masked(t), acts)
    if (has(t, _REFUND) or has(t, _DO_THE_REFUND)) and not _only_refund_event(t, trigger):
        _add_refund(steps, t, trigger)
    if _pays(t) and not _has_money_step(steps):
        url = next((u for p, u in _MONEY_APIS if has(t, p)), _MONEY_APIS[0][1])
        if has(t, _CHARGE) and not has(t, _PAY_ONLY):
            url = "https://api.stripe.com/v1/payment_intents"
        elif has(t, _CREDIT):
            url = "https://api.stripe.com/v1/customers/{{ item.customer }}/balance_transactions"
        body = {"amount": "{{ item.amount }}", "recipient": "{{ item.name }}"}
        steps.add("send_payment", "http.request", {"method": "POST", "url": url, "json": body})


def mark_impact(
    steps: StepList, t: str, asked: str | None = None, *, any_act: bool = False
) -> None:
    """A risky act asked for and done through a plain write to a tool ("cancel all open orders
    in shopify", "send our update to all our mailchimp subscribers", "drop every product price
    10%"): that write says what it does (`impact`), so the draft is class C and an owner
    confirms it. With no write to mark, one is drafted on the tool named (or on an address the
    owner fills in), named for the act. Never dropped, never made to look safer than asked.

    Deletes and payments usually have their own steps, and data sent out is read by the policy;
    `any_act` drafts the stand-in for those too, for a draft that would otherwise not be class C
    ("trash the promo mail in my gmail", "pay back the expense claims", `draft_the_act`)."""
    act = risky_act(t) or (risky_act(asked) if asked else None)  # `t` masks some words
    if act is None or _has_critical_step(steps):
        return
    words = _act_words(asked or t, act)
    tool = first_named_tool(words) or first_named_tool(t)
    writes = [
        s
        for s in steps.items
        if s.get("action") == "http.request"
        and str(s["inputs"].get("method", "GET")).upper() not in ("GET", "HEAD")
    ]
    if writes:
        named = [s for s in writes if tool and _squeezed(tool) in _squeezed(s["inputs"]["url"])]
        target = (named or writes)[0]
        target["inputs"]["impact"] = act
        target.setdefault("name", words)
        return
    if act not in ("prices", "access", "bulk", "records") and not any_act:
        return  # deletes and payments have their own steps; data leaving is read by the policy
    if act == "data" and not has(t, _INTO_A_SYSTEM):
        return  # sent to someone, not into a system: by email, which the policy reads
    slug = re.sub(r"\W+", "", tool) if tool else ""
    url = stand_in_api(tool) if tool else f"https://api.example.com/{act}"
    method = "DELETE" if act == "delete" else "POST"
    inputs: dict[str, object] = {"method": method, "url": url, "impact": act}
    if method != "DELETE":
        inputs["json"] = {"id": "{{ item.id }}"}
    steps.add(f"{act}_{slug or 'records'}", "http.request", inputs, name=words)


# Data sent into another system rather than to a person: "to our partner's system / API".
_INTO_A_SYSTEM = (
    r"\b(?:to|into)\s+(?:[\w'-]+\s+){0,4}?(?:api|system|platform|portal|webhook|endpoint|database|"
    r"tool|app)\b|https?://"
)


def draft_the_act(steps: list[dict[str, Any]], t: str, asked: str) -> None:
    """Add the step that does the risky act asked for, when no drafted step does it: the
    workflow is drafted class C for an owner to confirm rather than refused for want of a step.
    `t` is the request as the rules read it, `asked` as it was written (normalised)."""
    held = StepList()
    held.items = steps
    mark_impact(held, t, asked, any_act=True)


def _act_words(t: str, act: str) -> str:
    """The clause that asks for the act, as a step name ("Cancel all open orders in shopify")."""
    cue = {
        "prices": _PRICE_CHANGE,
        "access": _ACCESS,
        "delete": _DELETE,
        "records": _OVERWRITE_VERB,
    }.get(act)
    money_verb = "|".join((_PAY, _REFUND, _GIVES_VALUE, _PAYOUTS, risk_cues.MONEY_VERB))
    found = next(
        (
            c
            for c in risk_cues.clauses(t)
            if (has(c, cue) if cue else risk_cues.sends_in_bulk(c) or _moves_money(c))
        ),
        t,
    )
    verb = {
        "prices": _PRICE_CHANGE,
        "access": _ACCESS,
        "delete": _DELETE,
        "money": money_verb,
        "records": _OVERWRITE_VERB,
    }.get(act)
    at = re.search(verb, found) if verb else None
    if at and len(found[at.start() :].split()) >= 3:
        found = found[at.start() :]  # "supplier raised prices, so bump every price": the act
    words = re.sub(r"\s+", " ", re.sub(r"[(\[].*$", "", found)).strip(" ,:-")
    words = _short_name(words)
    return (words[:1].upper() + words[1:]) or "Make the change asked for"


# Where a long act's clause can end: before the records are narrowed down ("… that hasn't
# replied in 90 days"), and never on a word that needs another after it.
_NARROWING = re.compile(
    r"\s(?:that|who|which|whose|where|when|if|because|once|after|before|unless|until|since|"
    r"so|but)\s"
)


def _short_name(words: str, limit: int = 70) -> str:
    """A step name of at most `limit` characters that ends on a whole phrase."""
    if len(words) <= limit:
        return words
    cut = _NARROWING.search(words, 20)
    if cut is not None:
        words = words[: cut.start()]
    if len(words) > limit:
        words = words[:limit].rsplit(" ", 1)[0]
    return ending_on_a_whole_word(words)


def _has_critical_step(steps: StepList) -> bool:
    registry = default_registry()
    return any(
        s.get("action") in registry
        and registry.get(s["action"]).risk_of(s.get("inputs", {})) == Risk.critical
        for s in steps.items
    )


def _add_delete(steps: StepList, t: str, acts: str) -> None:
    """The delete step; `acts` is `t` with its event clause blanked (same positions)."""
    found = re.search(_DELETE, acts)
    assert found is not None
    start = found.start()
    if has(found.group(0), r"\bbe\b|\bwere\b|\bare\b|\bis\b|\bgets?\b"):
        start = max(0, start - 60)  # "the user's files should be deleted": the files come first
    clause = t[start:]
    if has(clause, _SHEET_ROWS) and not steps.first("sheets.delete_rows"):
        inputs: dict[str, object] = {"spreadsheet": sheet_name(clause), "sheet": tab_of(clause)}
        age = re.search(
            r"\b(?:older\s+than|over|more\s+than)\s+(\d{1,4})\s+(day|week|month|year)s?", clause
        )
        if age:
            inputs |= {"older_than": f"{age.group(1)} {age.group(2)}s", "date_column": "date"}
        else:
            inputs["match"] = {"status": "{{ item.status }}"}
        steps.add("delete_rows", "sheets.delete_rows", inputs)
        return
    if steps.first("crm.delete_contacts") or (steps.first("http.request") and _deletes(steps)):
        return
    # The tool is named in the clause, or earlier ("our google drive fills up … delete the
    # backup files"); the things deleted are named in the clause.
    tool = first_named_tool(clause) or first_named_tool(t) or _stripe(t) or records_place(clause)
    if tool and has(clause, _EXTERNAL_THINGS) and not has(clause, _CRM_ONLY):
        name = re.sub(r"\W+", "", tool)
        url = stand_in_api(tool, "/{{ item.id }}")
        if name == "stripe":
            url = "https://api.stripe.com/v1/customers/{{ item.id }}"
        steps.add(f"delete_in_{name}", "http.request", {"method": "DELETE", "url": url})
        if has(clause, r"\b(?:kick|ban)\w*\b"):
            steps.add(
                f"remove_user_{name}",
                "http.request",
                {
                    "method": "DELETE",
                    "url": stand_in_api(tool, "/members/{{ item.author }}"),
                },
            )
        return
    if has(clause, _CRM_THINGS) or has(clause, _PEOPLE):
        contacts = contacts_to_delete(clause)
        steps.add("delete_contacts", "crm.delete_contacts", contacts)
        return
    _delete_elsewhere(steps, clause)


_KEPT_THINGS = (
    r"\b(messages?|posts?|comments?|accounts?|users?|members?|files?|backups?|folders?|cards?|"
    r"tasks?|duplicates?|entries|records?|logs?|orgs?|organi[sz]ations?|events?|tickets?|issues?|"
    r"orders?|products?|documents?|videos?|photos?|images?|emails?|data|databases?|db|tables?|"
    r"buckets?|caches?)\b"
)


def _delete_elsewhere(steps: StepList, clause: str) -> None:
    """A delete of records kept in a system with no integration ("purge the audit logs older
    than a year", "delete the slack messages older than a week"): a DELETE whose address the
    owner fills in, named for what it deletes, so the draft is class C and says so."""
    thing = re.search(_KEPT_THINGS, clause)
    if thing is None:
        return
    noun = thing.group(1)
    age = re.search(r"\b(?:older\s+than|more\s+than)\s+(?:an?\s+|\d{1,4}\s+)\w+", clause)
    them = "them" if noun.endswith("s") or noun == "data" else "it"
    where = "in Slack" if has(clause, r"\bslack\b") else f"in the system that keeps {them}"
    step_id = "delete_" + re.sub(r"\W+", "_", noun)
    url = f"https://api.example.com/{noun}"
    named = f"Delete the {noun}{' ' + age.group(0) if age else ''} {where}"
    steps.add(step_id, "http.request", {"method": "DELETE", "url": url}, name=named)


def changes_prices(t: str) -> bool:
    """Whether the request changes what customers pay: subscription prices, or the prices of
    what a shop sells ("bump every product price by 4%"); class C."""
    if changes_subscription_prices(t):
        return True
    acts = without_event_clause(t)
    if has(acts, _PUSH_PRICES) and has(acts, _SHOP_GOODS):
        return True
    change = re.search(_PRICE_CHANGE, acts)
    if change is None or has(change.group(0), _THEIR_PRICES):
        return False
    clause = acts[max(0, change.start() - 60) : change.end() + 60]
    if has(change.group(0), r"\bour\s+(?:[\w-]+\s+)?(?:prices?|pricing|rates?|fees?)\b"):
        return True  # "raise our consulting rates by 3%": what our customers pay
    return has(clause, _SHOP_GOODS) and not has(change.group(0), r"\bsheet|\bfees?\b|\brates?\b")


def changes_subscription_prices(t: str) -> bool:
    """Whether the request changes what subscribers pay ("raise our subscription prices by 5%
    in stripe"): a billing change, class C."""
    return (has(t, _PRICE_CHANGE) and has(t, r"\bstripe\b|\bsubscri\w*|\bmember(?:s|'s|ship)")) or (
        has(t, _MOVE_EVERYONE_TO_PRICE)
        and has(t, r"\bplans?\b|\bprices?\b|/\s?mo\b|\bmonthly\b|\bsubscri\w*|\bsubs\b|[$£€]\s?\d")
    )


def _add_price_change(steps: StepList, t: str) -> None:
    """New Stripe prices, N % up or down from each current one when a percentage is given."""
    percent = re.search(r"\b(\d{1,3}(?:\.\d+)?)\s?%", t)
    amount = "{{ item.new_amount }}"
    if percent:
        down = has(t, r"\b(?:lower|cut|reduce|decrease|drop)\w*\b")
        factor = f"(1 {'-' if down else '+'} {percent.group(1)} / 100)"
        amount = f"{{{{ (item.unit_amount * {factor}) | round | int }}}}"
    body = {
        "product": "{{ item.product }}",
        "currency": "{{ item.currency }}",
        "unit_amount": amount,
    }
    steps.add(
        "new_price",
        "http.request",
        {"method": "POST", "url": "https://api.stripe.com/v1/prices", "json": body},
        name="Set the new subscription prices in Stripe",
    )


# Payment providers other than Stripe that refunds go back through.
_OTHER_PROVIDER_NAME = (
    r"\b(?:adyen|mollie|razorpay|paddle|braintree|klarna|sumup|square|gocardless|checkout\.com|"
    r"worldpay|paystack|flutterwave|paypal)\b"
)


def _squeezed(text: object) -> str:
    """Letters and digits only: "Google Drive" is found in "https://api.google-drive.example"."""
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


def _stripe(t: str) -> str | None:
    """Stripe, when the request names it (it is an integration, not an outside tool)."""
    return "stripe" if has(t, r"\bstripe\b") else None


def _add_refund(steps: StepList, t: str, trigger: TriggerReading) -> None:
    if steps.first("stripe.refund") or _has_money_step(steps):
        return
    provider = re.search(_OTHER_PROVIDER_NAME, t)
    if provider and not has(t, r"\bstripe\b") and trigger.kind != "stripe":
        name = re.sub(r"\W+", "", provider.group(0))  # "adyen": refunded where it was paid
        url = stand_in_api(provider.group(0), "/v1/payments/{{ trigger.payment_id }}/refunds")
        if name != "paypal":
            inputs = {"method": "POST", "url": url, "json": {}, "impact": "money"}
            steps.add(
                "refund", "http.request", inputs, name=f"Refund the payment in {name.capitalize()}"
            )
            return
    if has(t, r"\bstripe\b") or trigger.kind == "stripe" or not has(t, r"\bpaypal\b|\bshopify\b"):
        payment = (
            "{{ trigger.payment_intent }}"
            if trigger.kind == "stripe"
            else "{{ trigger.payment_id }}"
        )
        steps.add(
            "refund", "stripe.refund", {"payment": payment, "reason": "requested_by_customer"}
        )
        return
    url = "https://api-m.paypal.com/v2/payments/captures/{{ trigger.capture_id }}/refund"
    if has(t, r"\bshopify\b") and not has(t, r"\bpaypal\b"):
        url = "https://shop.example.com/admin/api/orders/{{ trigger.order_id }}/refunds.json"
    steps.add("refund", "http.request", {"method": "POST", "url": url, "json": {}})


def _only_refund_event(t: str, trigger: TriggerReading) -> bool:
    """ "When a payment is refunded, tell #support": the refund starts it, nobody refunds."""
    if not has(t, _REFUND_EVENT) or has(t, _DO_THE_REFUND):
        return False
    rest = re.sub(_REFUND_EVENT, " ", t)
    return not has(rest, _REFUND)


# "when a customer asks for a refund, issue it in stripe": the refund named before, then done.
_DO_THE_REFUND = (
    r"\brefunds?\b[^.]{0,80}\b(?:issue|process|approve|grant|give|send)\s+(?:it|them|that|one)\b"
)


# Value handed out whoever gets it: "issue store credit automatically when a return is approved".
_GIVES_VALUE = (
    r"\b(?:issue|give|gives|add|apply|grant|hand\s+out|hands\s+out|send)\w*\s+(?:\w+\s+){0,3}?"
    r"(?:store\s+credit|account\s+credit|gift\s+cards?|vouchers?\s+worth|free\s+(?:months?|years?)|"
    r"(?:one[- ]time|one[- ]off|goodwill)\s+credit|credit\s+(?:worth|of\s+[$£€\d]))\b"
)


# Payouts and earnings handed out: "sort out the vendor payouts", "bulk payout", "send all our
# suppliers their earnings"; unpaid invoices voided.
_PAYOUTS = (
    r"\b(?:sort\s+out|handle|do|manage|automate|run|process)\s+(?:the\s+|our\s+|all\s+)?(?:[\w-]+\s+)?"
    r"payouts?\b|\bbulk\s+payouts?\b|\bsend\w*\s+(?:\w+\s+){0,4}?their\s+(?:earnings|commissions?|"
    r"payouts?|share)\b|\bvoid\w*\s+(?:\w+\s+){0,4}?invoices?\b|"
    # "capture the authorised card payment": the money taken from the card
    r"\bcaptur\w*\s+(?:the\s+|their\s+|each\s+|all\s+)?(?:authori[sz]ed\s+|held\s+|pending\s+)?"
    r"(?:card\s+)?(?:payments?|charges?|funds|amounts?)\b|"
    # "create the payment order in our bank", "schedule the bank transfer to the vendor"
    r"\b(?:create|make|raise|set\s+up|schedule|initiate|submit|queue|release)\s+(?:the\s+|a\s+|an\s+)?"
    r"(?:payment\s+orders?|(?:bank|wire|sepa|ach)\s+(?:transfers?|payments?)|payment\s+runs?|"
    r"batch\s+payments?)\b|"
    # "send the bounty amount to that dev's paypal", "pay the commission into their wise account"
    r"\b(?:send|pay|transfer|move|wire)\w*\s+(?:the\s+|their\s+|his\s+|her\s+|its\s+)?(?:[\w-]+\s+)?"
    r"(?:amount|money|funds|bounty|commission|reward|fee|cash|balance|earnings|payout)s?\s+"
    r"(?:to|into|over\s+to)\s+(?:[\w'-]+\s+){0,3}?(?:paypal|venmo|wise|revolut|cash\s*app|"
    r"bank(?:\s+account)?|wallet|iban)\b|"
    # "submit payroll", "run payroll": the staff's pay moved
    # ("remind #finance to run payroll", "so they approve payroll": people told to do it)
    r"(?<!\bto\s)(?<!\bthey\s)(?<!\bshe\s)(?<!\bhe\s)(?<!\bcan\s)(?<!\bshould\s)(?<!\bwe\s)(?<!\bi\s)"
    r"\b(?:submit|run|process|approve|release)\s+(?:the\s+|this\s+\w+'s\s+)?payroll\b"
)


# A declined charge tried again: "retry charging it 3 days later", "re-try the payment".
_RETRY_CHARGE = (
    r"\bre-?try\w*\s+(?:charging|billing|the\s+(?:charge|payment|card)|(?:the\s+)?card)\b"
)


def _moves_money(t: str) -> bool:
    acts = without_event_clause(re.sub(_REFUND_EVENT, " ", t))
    if has(t, _DO_THE_REFUND) or has(acts, _GIVES_VALUE) or has(acts, _PAYOUTS):
        return True
    if has(acts, _RETRY_CHARGE):
        return True
    return (
        has(re.sub(_REFUND_EVENT, " ", t), _REFUND)
        or _pays(t)
        or risk_cues.moves_money(acts)
        or risk_cues.spends(acts)
    )


def _pays(t: str) -> bool:
    return has(t, _PAY) and (
        has(
            t,
            r"\b(?:contractors?|freelancers?|suppliers?|vendors?|staff|employees?|affiliates?|"
            r"payroll|salar\w*|invoices?|bills?|commissions?|bonus\w*|savings|balance|"
            r"customers?|clients?|cards?\s+on\s+file|members?|everyone|everybody|users?|"
            r"subscribers?|accounts?)\b|[£$€]\s?\d",
        )
        or any(has(t, p) for p, _ in _MONEY_APIS)
    )


def _has_money_step(steps: StepList) -> bool:
    http = default_registry().get("http.request")
    return any(
        s.get("action")
        in ("stripe.refund", "stripe.update_subscription", "stripe.cancel_subscription")
        or (s.get("action") == "http.request" and http.risk_of(s["inputs"]) == Risk.critical)
        for s in steps.items
    )


def _deletes(steps: StepList) -> bool:
    return any(
        s.get("action") == "http.request" and s["inputs"].get("method") == "DELETE"
        for s in steps.items
    )
