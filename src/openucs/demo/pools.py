"""Word pools of the demo data: names, places, subjects and message texts. Plain tuples, so the
generator picks with an index and does no per-row work beyond string formatting."""

from __future__ import annotations

FIRST_NAMES = (
    "Ann", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kara", "Liam", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara",
    "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Chloe", "Dmitri",
    "Emma", "Felix", "Giulia", "Hannah", "Ivan", "Julia", "Kenji", "Lena", "Marco", "Nadia",
    "Oscar", "Priya", "Rafael", "Sofia", "Tomas", "Ursula", "Victor", "Wanda", "Yara", "Zain",
    "Alice", "Carlos", "Diana", "Ethan", "Fatima", "George", "Helena", "Isaac", "Jade", "Karl",
)  # fmt: skip

LAST_NAMES = (
    "Lee", "Smith", "Garcia", "Muller", "Rossi", "Dubois", "Kowalski", "Tanaka", "Silva",
    "Jensen", "Novak", "Brown", "Martin", "Lopez", "Schmidt", "Bianchi", "Moreau", "Nowak",
    "Sato", "Costa", "Hansen", "Horvat", "Wilson", "Perez", "Fischer", "Romano", "Laurent",
    "Wojcik", "Suzuki", "Pereira", "Nielsen", "Kovac", "Taylor", "Sanchez", "Weber", "Greco",
    "Bernard", "Lewandowski", "Kato", "Almeida", "Berg", "Popescu", "Walker", "Ramirez",
    "Wagner", "Ferrari", "Petit", "Zielinski", "Ito", "Santos", "Lindqvist", "Ivanova",
    "Okafor", "Haddad", "Nguyen", "Kim", "Chen", "Singh", "Murphy", "OBrien",
)  # fmt: skip

TITLES = ("Mr", "Ms", "Mrs", "Dr", None, None, None, None)

EMAIL_DOMAINS = (
    "example.com", "example.org", "example.net", "mail.example.com", "post.example.org",
    "inbox.example.net",
)  # fmt: skip

SEGMENTS = ("Gold", "Silver", "Bronze", "Standard", "Standard", "Standard")
LANGUAGES = ("en", "en", "en", "de", "fr", "es", "nl", "it")

SUPPORT_ADDRESS = "support@openucs-demo.example"

TOPICS = (
    "Billing question", "Invoice not received", "Change of address", "Cancel my subscription",
    "Upgrade my plan", "Payment failed", "Delivery delayed", "Damaged item", "Refund request",
    "Password reset", "Account locked", "Roaming charges", "New contract", "Technical problem",
    "Router not working", "Order status", "Wrong item delivered", "Loyalty points",
    "Direct debit", "Complaint about service", "Meter reading", "Appointment change",
)  # fmt: skip

SERVICE_TYPES = ("Billing", "Sales", "Support", "Retention", "Collections", "Technical")

CUSTOMER_LINES = (
    "Hello, I have a question about my last invoice.",
    "Hi, my order has not arrived yet.",
    "I was charged twice this month.",
    "Can you tell me when my contract ends?",
    "The device keeps disconnecting every few minutes.",
    "I would like to change my payment method.",
    "Yes, that is correct.",
    "My customer number is on the letter, one moment please.",
    "Thank you, that helps a lot.",
    "Could you send me a confirmation by email?",
    "I already tried restarting it twice.",
    "When will the refund be on my account?",
    "No, nothing else. Thanks!",
    "Is there a cheaper plan for me?",
    "I moved last month, here is my new address.",
)

AGENT_LINES = (
    "Hello, thank you for contacting us. How can I help you today?",
    "Let me check that for you, one moment please.",
    "Could you please confirm your date of birth?",
    "I can see the payment on your account.",
    "I have opened a case for you; you will receive an email shortly.",
    "The refund will be processed within 5 business days.",
    "I have updated your details.",
    "Please try unplugging the device for 30 seconds.",
    "Is there anything else I can help you with?",
    "Thank you for your patience.",
    "I have sent the confirmation to your email address.",
    "Your order is with the courier and should arrive tomorrow.",
    "I have applied a credit to your next invoice.",
)

EMAIL_BODIES = (
    "I am writing about {topic}. Could you please look into it and get back to me?",
    "Regarding {topic}: I called last week but have not heard back yet.",
    "Please help me with {topic}. My customer number is in the attached letter.",
    "I would like an update on {topic} as soon as possible.",
    "Could you confirm what happens next with {topic}?",
)

REPLY_BODIES = (
    "Thank you for your message about {topic}. We have resolved it and updated your account.",
    "Thank you for contacting us about {topic}. A colleague will call you within two days.",
    "We are sorry about {topic}. We have opened case {case} and will keep you informed.",
    "Thank you for your patience regarding {topic}. Please find the details below.",
)

CALL_NOTES = (
    "Customer satisfied.",
    "Callback requested for tomorrow.",
    "Escalated to second level.",
    "Explained the invoice; no further action.",
    "Sent a replacement device.",
    "Customer will send documents by email.",
)

SOCIAL_POSTS = (
    "@support my internet has been down since this morning",
    "Great service today, thanks to your team!",
    "Still waiting for my refund, any news?",
    "Why is my bill higher this month?",
    "Is there an outage in my area?",
    "Your app keeps logging me out.",
)

WORKITEM_SUBJECTS = (
    "Verify address change", "Process refund", "Review complaint", "Scan incoming letter",
    "Follow up on callback", "Check direct debit mandate", "Update contract documents",
)  # fmt: skip
