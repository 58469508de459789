"""Vocabulary for the synthetic Backpack account (people's names come from ``sandbox.names``).

Apostrophes, ampersands, quotes and non-ASCII letters are there on purpose: ws records use
single-quoted attributes, so a title like ``Bob's list`` must arrive as ``&apos;`` and a
client has to unescape it.
"""

PAGE_TITLES = (
    "Ajax Summit", "Movie Titles", "Trip to SF", "Reading list", "Kitchen remodel",
    "Wedding plans", "Bob's birthday", "Q&A prep", "Garden", "Recipes", "Side project",
    "Moving house", "Conference notes", "Gift ideas", "Car maintenance", "Book club",
    "Home office", "Café ideas", "Vacation 2026", "Taxes", "Newsletter drafts", "Podcast",
)

NOTE_TITLES = ("", "Hotel", "Agenda", "Ideas", "Call notes", "Packing", "To read", "Links")

NOTE_LINES = (
    "Staying at the Savoy", "With O'Reilly and Adaptive Path", "It's a pretty place",
    "Remember to book the table for 8 & bring the cake.", "Call the plumber <before> noon.",
    "Prices went up again — compare with last year.", "Ask José about the café menu.",
    "Draft is in the shared folder.", "Don't forget the \"spare\" keys.",
)

LIST_NAMES = (
    "Trip to SF", "Groceries", "Packing", "Errands", "Bugs", "Ideas", "Reading", "Chores",
    "Follow-ups", "Gifts", "greetings", "goodbyes",
)

ITEM_TEXTS = (
    "See San Francisco", "Meet interesting people", "Present Backpack", "Buy milk",
    "Call mom", "Renew passport", "Fix the gate", "Book flights", "Pick up dry cleaning",
    "Email Zoë the photos", "Return library books", "Pay rent & bills", "Water the plants",
)

TAG_NAMES = (
    "Technology", "Travel", "Home", "Work", "Family", "Money", "Health", "Ideas", "Food",
    "Reading", "Music", "Long Scores", "Jazz", "Errands",
)

GALLERY_NAMES = ("Around the town", "Site photos", "Mood board", "Holiday snaps")

IMAGE_FILES = ("parrots.jpg", "bridge.png", "kitchen.jpg", "sketch.gif", "cake.jpeg")

IMAGE_DESCRIPTIONS = (
    "Wild parrots of Telegraph Hill", "", "Before the remodel", "First sketch", "Mmm, cake",
)

ATTACHMENT_FILES = ("itinerary.pdf", "budget.xlsx", "floorplan.pdf", "notes.txt", "menu.docx")

SEPARATOR_NAMES = ("Photos", "Later", "Done", "Reference")

EMAIL_SUBJECTS = (
    "My Subject", "Diff Subject", "Fwd: tickets", "Re: quote", "Invoice #4411", "Itinerary",
)

REMINDER_TEXTS = (
    "Hello", "World!", "Call the bank", "Dentist at 3", "Renew domain", "Water plants",
    "Pay the invoice", "Send the slides", "Book the venue",
)

STATUS_MESSAGES = (
    "Out to lunch", "Working from home", "On the road", "Heads down until 3",
    "In meetings all day", "Back Monday",
)

JOURNAL_LINES = (
    "Shipped the new invoice template.", "Long call with the landlord.",
    "Finally fixed the gate.", "Read two chapters.", "Planning the trip & packing.",
    "Quiet day.", "Met José for coffee.", "Sorted the receipts.",
)

CALENDAR_NAMES = ("Personal", "Work", "Family", "Trips", "Birthdays", "Holidays")

CALENDAR_COLORS = ("000099", "990000", "009900", "cc6600", "663399", "336699")

EVENT_TITLES = (
    "Dinner with Jamis", "dinner with lisa", "Dentist", "Flight to SFO", "Team offsite",
    "Book club", "Mom's birthday", "Conference", "Yoga", "Parent-teacher night",
)
