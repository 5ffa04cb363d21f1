"""A drag source for the app's end-to-end test: a small GTK window whose button can be dragged
to drop the file named on the command line (as a file manager would). Quits after one drag."""

import sys

import gi

gi.require_version("Gdk", "3.0")
gi.require_version("Gtk", "3.0")
from gi.repository import Gdk, Gio, Gtk  # noqa: E402

uri = Gio.File.new_for_path(sys.argv[1]).get_uri()
window = Gtk.Window(title="drag source")
window.set_default_size(200, 100)
button = Gtk.Button(label="drag me")
button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
button.drag_source_add_uri_targets()
button.connect("drag-data-get", lambda _w, _c, data, _i, _t: data.set_uris([uri]))
button.connect("drag-end", lambda *_: Gtk.main_quit())
window.add(button)
window.connect("destroy", Gtk.main_quit)
window.show_all()
Gtk.main()
