"""A whole organisation behind the simulator's one port: its shape (`spec.py`: how many projects
each service has, on which keys) and the projects it serves (`projects.py`: a world per project,
routed the way each service routes many projects, budgets shared by key)."""
