"""Vocabulary for the synthetic Basecamp 4 account (kept out of the generator's structure).

Some entries carry apostrophes, ampersands, emoji and non-ASCII letters on purpose: they
exercise HTML escaping in rich text and UTF-8 handling in clients.
"""

FIRST_NAMES = (
    "Victor", "Annie", "Steve", "Andrew", "Zoë", "José", "Priya", "Kenji", "Fatima", "Lars",
    "Chloé", "Omar", "Grace", "Mei", "Ravi", "Elena", "Aisha", "Pablo", "Hana", "Leila",
)
LAST_NAMES = (
    "Cooper", "Bryan", "Marsh", "Wong", "Ramírez", "Okafor", "Nakamura", "O'Brien", "Dubois",
    "Silva", "Chen", "Patel", "Rossi", "Jensen", "Müller", "Tanaka", "Costa", "Nguyen",
)
JOB_TITLES = (
    "Chief Strategist", "Designer", "Programmer", "Support Lead", "Marketing & Sales",
    "Project Manager", "Copywriter", "Operations",
)
CITIES = ("Chicago, IL", "Lisbon", "Osaka", "Berlin", "Toronto", None)
PROJECT_WORDS = (
    "Leto Laptop", "Website Redesign", "Mobile Rollout", "Brand Refresh", "Q3 Campaign",
    "Customer Portal", "Office Move", "Data Migration", "Hiring Playbook", "Launch Summit",
    "Partner Newsletter", "Support Audit",
)
TOPICS = (
    "Kickoff notes", "Budget review", "Design critique", "Launch checklist", "Vendor shortlist",
    "Q&A follow-up", "Roadmap draft", "Retro: what went well", "Copy for the landing page",
    "Café meetup", "Bug bash", "Pricing questions",
)
VERBS = ("Draft", "Review", "Ship", "Fix", "Plan", "Test", "Write", "Order", "Call", "Update")
OBJECTS = (
    "the homepage", "invoice #42", "Q3 report", "the onboarding flow", "client's logo",
    "release notes", "the API docs", "hardware samples", "travel & lodging", "the survey",
)
COLORS = ("blue", "green", "red", "orange", "purple", "gray", "pink", "yellow")
CATEGORIES = (("Announcement", "📢"), ("FYI", "✨"), ("Pitch", "💡"), ("Question", "❓"))
QUESTIONS = ("What did you work on today?", "What will you do this week?", "Any blockers?")
COLUMN_TITLES = ("Triage", "In Progress", "Review", "Done", "Not now")
LINE_TEXTS = ("Morning all!", "Deploy done 🚀", "Lunch?", "Great job, team", "brb", "👍")
GAUGE_TITLES = ("How far along are we?", "Are we on track?", "Launch readiness")
NEEDLE_NOTES = (
    "Shipped the onboarding flow — burndown looks good.", "Blocked on vendor sign-off.",
    "QA found a few regressions; fixing.", "Ahead of plan after the sprint.",
    "Scope grew; re-estimating.",
)
NEEDLE_COLORS = ("green", "yellow", "red")
MARKERS = ("Product Launch", "Quarterly Review", "Code Freeze", "Offsite", "Board Meeting",
           "Holiday Break")
BOT_NAMES = ("Capistrano", "deploy", "Status Bot", "CI ✅", "Standup")
BOOSTS = ("🎉", "👍", "🙌", "Nice!", "❤️", "Great work, team")
TIMESHEET_NOTES = ("Client meeting prep", "Worked on project setup and initial planning",
                   "Design review", "Bug triage", "Writing the handbook", "Call with vendor")
WEBHOOK_TYPES = ("Todo", "Todolist", "Message", "Comment", "Document", "Upload",
                 "Kanban::Card", "Schedule::Entry", "Question::Answer")
