# Host only. Makes firmware/ the package micronn_firmware of an installed micronn, so the tool finds
# the files it puts on boards through importlib.resources; never sent to a board.
