"""Vocabulary for the synthetic Basecamp 2 account (people's names are in ``sandbox.words``).

Kept apart from the generator so the data module reads as structure, not word lists. A few
entries carry apostrophes, ampersands and non-ASCII letters on purpose: they exercise HTML
entity escaping in event excerpts and UTF-8 handling in clients.
"""

CLIENT_DOMAINS = ("acme.example", "globex.example", "initech.example")

PROJECT_ADJECTIVES = (
    "Spring", "Website", "Mobile", "Annual", "Customer", "Brand", "Q3", "Partner", "Office",
    "Holiday", "Internal", "Support", "Product", "Data", "Hiring", "Launch",
)

PROJECT_NOUNS = (
    "Redesign", "Campaign", "Rollout", "Report", "Onboarding", "Refresh", "Migration", "Summit",
    "Move", "Audit", "Playbook", "Roadmap", "Newsletter", "Portal", "Pilot", "Kickoff",
)

GROUP_NAMES = ("Basecamp", "Partners", "Acme Corp", "Freelancers", "Globex", "Initech")

SUBGROUP_NAMES = ("Designers", "Support", "Programmers", "Marketing", "Operations")

CALENDAR_NAMES = (
    "Board Meetings", "Vacation", "General", "Conferences", "Releases", "Birthdays",
    "Office Hours", "Trips", "Deadlines", "Interviews",
)

COLORS = ("3185c5", "e93a37", "83b43c", "f7bd2e", "9b59b6", "27ae60", "e67e22", "7f8c8d")

VERBS = (
    "Design", "Test", "Review", "Ship", "Draft", "Update", "Fix", "Plan", "Write", "Check",
    "Approve", "Book", "Call", "Order", "Prepare", "Archive",
)

NOUNS = (
    "homepage", "pricing page", "invoice", "contract", "logo", "press kit", "budget",
    "survey", "agenda", "slides", "FAQ", "sign-up form", "newsletter", "backlog", "venue",
    "menu", "release notes", "photos",
)

LIST_NAMES = (
    "Launch list", "Version 2", "Before the trip", "Content", "Bugs", "Ideas", "Follow-ups",
    "Design review", "Legal", "Marketing", "QA", "Someday",
)

MESSAGE_SUBJECTS = (
    "Welcome!", "Kickoff notes", "Status update", "Heads up", "Question about the schedule",
    "Meeting recap", "Thoughts on the draft", "New hire intro", "Budget check-in",
    "Weekly wrap-up", "Launch plan", "Feedback round",
)

DOCUMENT_TITLES = (
    "Manifesto", "Really important notes", "Style guide", "Meeting minutes", "Requirements",
    "Brief", "Checklist", "Glossary", "Retrospective", "Scope",
)

COMMENTS = (
    "I'll be there!", "Yeah, really, welcome!", "+1", "Let's get it taken care of?",
    "Looks good to me.", "Can we move this to Friday?", "Done & dusted.", "I think there "
    "should be more sass to it.", "Thanks, that's great.", "Café at 10? Works for me.",
    "Let's ship it.", "Needs another pass <3", "Agreed — go ahead.", "I'll follow up tomorrow.",
)

SENTENCES = (
    "Here's where we stand.", "Please take a look before Friday.", "We're on track.",
    "Numbers are in the attached sheet.", "Let me know what you think.",
    "This replaces the old plan.", "Questions & ideas welcome.",
)

FORWARD_SENDERS = (
    "Tom McSalesman (tom@example.com)", "Ada Vendor (ada@supplier.example)",
    "Billing (billing@vendor.example)",
)

FORWARD_SUBJECTS = ("Prices", "Proposal", "Invoice #4411", "Re: contract", "Fwd: schedule")

EVENT_SUMMARIES = (
    "Weekly meeting", "Planning session", "Launch day", "Offsite", "Demo", "Deadline",
    "Client call", "Team lunch", "Review", "Workshop",
)

FILES = (
    ("bearwave.gif", "image/gif"), ("report.pdf", "application/pdf"),
    ("mockup.png", "image/png"), ("notes.txt", "text/plain"),
    ("budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("photo.jpg", "image/jpeg"), ("contract.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("logo.svg", "image/svg+xml"), ("data.csv", "text/csv"), ("slides.key", "application/x-iwork"),
)

TAGS = ("favorite gifs", "reports", "logos/icons", "Contracts", "writing", "drafts")
