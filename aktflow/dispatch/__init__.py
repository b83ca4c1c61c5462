"""Letters out to people: the channels a letter is dispatched on (Digital Post, e-mail, print).

The outbox dispatches each letter once on the channel chosen for it; every channel adapter takes an
:class:`~aktflow.dispatch.channel.OutgoingLetter` and answers a
:class:`~aktflow.dispatch.channel.DeliveryResult` (see docs/dispatch.md).
"""
