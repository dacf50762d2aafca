"""The forms of each activity, one module each (reading, authoring, requests, comments,
verdicts, notifications, exports), and what they share (`common`). A form checks what was
sent and says clearly what is wrong; saving is a service's."""
